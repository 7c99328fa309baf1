"""`county-innovation demo [--no-serve]`: migrate, load the Nanchang demo, print the accounts, serve."""

import ctypes
import signal
import subprocess
import sys
import time
from types import FrameType

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.regions.models import Region
from county_innovation.reports.services import bulletins_queue_published
from county_innovation.web.demo import DEMO_SEED, demo_load


class Command(BaseCommand):
    help = "载入南昌市演示数据（行政区划、默认指标体系、各角色演示账号、2020–2024年随机数据与评价结果）并启动服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="只载入演示数据，不启动网页服务")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="服务地址，默认 127.0.0.1:8000")
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="随机种子")

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write("[1/3] 迁移数据库 …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("[2/3] 载入南昌市行政区划、默认指标体系与演示数据 …")
        started = time.perf_counter()
        try:
            report = demo_load(seed=options["seed"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"      {report.regions} 个区划，{report.values:,} 条演示数据，{report.runs} 次评价，"
            f"{report.enterprises} 家演示企业"
            f"（用时 {time.perf_counter() - started:.1f} 秒）"
        )
        self.stdout.write(self.style.WARNING("      以上均为随机生成的演示数据，不是真实统计数据。"))
        self.stdout.write("[3/3] 演示账号（仅演示模式存在）：")
        for username, password, name in report.accounts:
            self.stdout.write(f"      {username:<14} {password:<12} {name}")
        # Each published period's bulletin (Word + PDF), built by the background worker (reports app).
        queued = bulletins_queue_published(
            scope=Region.objects.get(code="360100"), actor=system("演示数据载入后生成通报")
        )
        self.stdout.write(f"      已排队生成 {queued} 期定期通报（由后台进程生成 Word 与 PDF）")
        if options["no_serve"]:
            return
        self._serve_with_worker(options["addr"])

    def _serve_with_worker(self, addr: str) -> None:
        """Run the web server with a django-tasks worker beside it; stopping the one stops the other.

        Ctrl+C reaches both (same process group); SIGTERM (``kill``, a service manager) reaches this process
        only, so it is turned into a normal exit whose ``finally`` stops the worker; should this process die
        without cleaning up (SIGKILL), the kernel sends the worker SIGTERM (``PR_SET_PDEATHSIG``).
        """
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        worker = subprocess.Popen(
            # every queue: "default" (robustness analyses) and "reports" (bulletins)
            [sys.executable, "-m", "county_innovation.cli", "db_worker", "--interval=0.5", "--queue-name=*"],
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self.stdout.write(f"      后台计算进程已启动（pid {worker.pid}）")
        self.stdout.write(self.style.SUCCESS(f"打开 http://{addr}/ 查看（Ctrl+C 停止）"))
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            _stop(worker)
            signal.signal(signal.SIGTERM, previous)
            self.stdout.write("已停止网页服务与后台计算进程。")


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent() -> None:
    """In the worker, before exec: ask the kernel for SIGTERM when the demo process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=5)
