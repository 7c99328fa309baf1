"""`county-innovation token create USERNAME --name NAME [--days N]` / `token revoke PREFIX` / `token list`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from county_innovation.accounts.models import ApiToken, User
from county_innovation.accounts.services import api_token_create, api_token_revoke
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError


class Command(BaseCommand):
    help = "签发或吊销API令牌。令牌只在签发时显示一次，平台仅保存其SHA-256摘要。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户签发新令牌")
        create.add_argument("username", help="用户名")
        create.add_argument("--name", required=True, help="令牌用途，如「统计局数据同步」")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"有效天数（默认 {settings.API_TOKEN_DEFAULT_DAYS} 天，由 API_TOKEN_DEFAULT_DAYS 设置）",
        )
        revoke = sub.add_parser("revoke", help="按前缀吊销令牌")
        revoke.add_argument("prefix", help="令牌的前8个字符（如 ci_AbC12）")
        listing = sub.add_parser("list", help="列出令牌：有效期与最近使用时间")
        listing.add_argument("username", nargs="?", help="只列出该用户的令牌")

    def handle(self, *args: object, **options: object) -> None:
        try:
            if options["action"] == "create":
                self._create(str(options["username"]), str(options["name"]), options["days"])
            elif options["action"] == "list":
                self._list(options["username"])
            else:
                token = api_token_revoke(actor=system("命令行吊销API令牌"), prefix=str(options["prefix"]))
                self.stdout.write(
                    f"已吊销令牌「{token.name}」（{token.prefix}…，用户 {token.user.username}）。"
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _create(self, username: str, name: str, days: int | None) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户「{username}」不存在。")
        token, key = api_token_create(actor=system("命令行签发API令牌"), user=user, name=name, days=days)
        expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(
            f"已为用户 {user.username} 签发令牌「{token.name}」，有效期至 {expires}。"
            "令牌只显示这一次，请妥善保存："
        )
        self.stdout.write(key)

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        now = timezone.now()

        def when(moment) -> str:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "从未使用"

        for t in tokens:
            state = "已吊销" if t.revoked else ("已过期" if t.is_expired(now) else "有效")
            self.stdout.write(
                f"{t.prefix}…  {t.user.username}  「{t.name}」  {state}  "
                f"有效期至 {when(t.expires_at)}  最近使用 {when(t.last_used_at)}"
            )
        if not tokens:
            self.stdout.write("没有API令牌。")
