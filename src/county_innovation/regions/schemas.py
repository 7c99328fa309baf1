"""API shapes of regions and region groups."""

from ninja import Field, Schema


class RegionOut(Schema):
    code: str = Field(description="区划代码（统计用区划代码，县级6位、乡级9位）")
    name: str = Field(description="名称")
    level: str = Field(description="层级：city 地级、county 县级、town 乡级")
    kind: str = Field(description="类型：区/县/县级市/街道/镇/乡等")
    parent: str | None = Field(description="上级区划代码", validation_alias="parent_id")


class RegionGroupOut(Schema):
    code: str = Field(description="区域组代码")
    name: str = Field(description="名称（如开发区）")
    kind: str = Field(description="类型：zone 开发区、new_area 新区、other 其他")
    city: str = Field(description="所属城市的区划代码", validation_alias="city_id")
    members: list[str] = Field(description="包含的乡级单位的区划代码")
    note: str = Field(description="说明")
