"""县域创新驱动发展监测管理平台 — the County Innovation Platform."""

__version__ = "0.1.0"
