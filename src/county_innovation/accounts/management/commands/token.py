"""`county-innovation token create USERNAME --name NAME` / `county-innovation token revoke PREFIX`."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from county_innovation.accounts.models import User
from county_innovation.accounts.services import api_token_create, api_token_revoke
from county_innovation.common.errors import DomainError


class Command(BaseCommand):
    help = "签发或吊销API令牌。令牌只在签发时显示一次，平台仅保存其SHA-256摘要。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户签发新令牌")
        create.add_argument("username", help="用户名")
        create.add_argument("--name", required=True, help="令牌用途，如「统计局数据同步」")
        revoke = sub.add_parser("revoke", help="按前缀吊销令牌")
        revoke.add_argument("prefix", help="令牌的前8个字符（如 ci_AbC12）")

    def handle(self, *args: object, **options: object) -> None:
        try:
            if options["action"] == "create":
                self._create(str(options["username"]), str(options["name"]))
            else:
                token = api_token_revoke(prefix=str(options["prefix"]))
                self.stdout.write(
                    f"已吊销令牌「{token.name}」（{token.prefix}…，用户 {token.user.username}）。"
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _create(self, username: str, name: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户「{username}」不存在。")
        token, key = api_token_create(user=user, name=name)
        self.stdout.write(
            f"已为用户 {user.username} 签发令牌「{token.name}」。令牌只显示这一次，请妥善保存："
        )
        self.stdout.write(key)
