"""`county-innovation eligibility FILE.json`: one enterprise through the eligibility JSON contract.

A thin wrapper: the rules and the contract live in ``county_innovation.engine.eligibility``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from county_innovation.engine import EngineError
from county_innovation.engine.eligibility import evaluate_enterprise


class Command(BaseCommand):
    help = (
        "按官方认定条件评价一家企业：科技型中小企业（国科发政〔2017〕115号）与高新技术企业（国科发火〔2016〕32号）。"
        "读入一个 JSON 文件（字段见 docs/eligibility.md），输出 JSON 结果。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="企业数据 JSON 文件（金额单位万元；列表为近三个会计年度，从早到晚）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"找不到文件「{path}」，请检查路径") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取文件「{path}」（需为 UTF-8 编码的 JSON）：{exc}") from None
        try:
            # Numbers as Decimal straight from the text: 0.1 stays one tenth.
            payload = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"文件「{path}」不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有错误（{exc.msg}）"
            ) from None
        try:
            result = evaluate_enterprise(payload)
        except EngineError as exc:
            raise CommandError(f"文件「{path}」中的企业数据有误：{exc}") from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
