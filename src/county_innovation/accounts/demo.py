"""The demo accounts, one per role; they are created only by `county-innovation demo` (never in production)."""

from typing import NamedTuple


class DemoAccount(NamedTuple):
    username: str
    password: str
    role: str
    region: str
    department: str
    display_name: str
    staff: bool = False  # may open the admin site (the city administration's account)

    def user_fields(self) -> dict[str, object]:
        """The fields of ``User`` this account sets, besides its region and password."""
        fields = self._asdict()
        return {
            "role": fields["role"],
            "department": fields["department"],
            "display_name": fields["display_name"],
            "is_staff": fields["staff"],
        }


DEMO_PASSWORD = "demo-2025"

DEMO_ACCOUNTS = [
    DemoAccount("admin", DEMO_PASSWORD, "city_admin", "360100", "", "市科技局（演示）", staff=True),
    DemoAccount("tongji", DEMO_PASSWORD, "department", "360100", "statistics", "市统计局（演示）"),
    # every department that owns an indicator of the default frameworks has an account, so each share of a
    # county's data can be filled and submitted by its owner in the demo
    DemoAccount("caizheng", DEMO_PASSWORD, "department", "360100", "finance", "市财政局（演示）"),
    DemoAccount("shuiwu", DEMO_PASSWORD, "department", "360100", "taxation", "市税务局（演示）"),
    DemoAccount("nanchangxian", DEMO_PASSWORD, "county", "360121", "", "南昌县科技局（演示）"),
    DemoAccount("jinxian", DEMO_PASSWORD, "county", "360124", "", "进贤县科技局（演示）"),
    DemoAccount("liantang", DEMO_PASSWORD, "town", "360121100", "", "莲塘镇（演示）"),
    DemoAccount("expert", DEMO_PASSWORD, "expert", "", "", "评审专家（演示）"),
    # more experts for the 专家库, so a designation can be reviewed by the demo accounts alone (≥ 3, none from the
    # applicant's county); their organisation, field and county are set by designation/demo.py
    DemoAccount("expert2", DEMO_PASSWORD, "expert", "", "", "王建华（演示专家）"),
    DemoAccount("expert3", DEMO_PASSWORD, "expert", "", "", "刘晓燕（演示专家）"),
    DemoAccount("expert4", DEMO_PASSWORD, "expert", "", "", "陈志强（演示专家）"),
    DemoAccount("expert5", DEMO_PASSWORD, "expert", "", "", "赵敏（演示专家）"),
    DemoAccount("enterprise", DEMO_PASSWORD, "enterprise", "", "", "示例科技有限公司（演示）"),
]
