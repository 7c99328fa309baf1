"""Domain errors raised by services; the web and API layers turn them into Chinese messages, never tracebacks."""


class DomainError(Exception):
    """A rule of the domain was broken; ``message`` is a Chinese sentence for the user.

    ``problems`` lists every individual problem (e.g. each bad cell of an import) when there are several.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        return self.message


class ScopeError(DomainError):
    """The user acted on a region or object outside their scope."""


_JSON_ERRORS = {
    "Expecting value": "此处缺少值",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "属性名应使用英文双引号",
    "Unterminated string starting at": "字符串缺少结束的引号",
    "Extra data": "结尾有多余的内容",
    "Invalid control character at": "字符串中含有控制字符",
    "Invalid \\escape": "反斜杠转义无效",
    "Invalid \\uXXXX escape": "\\u 转义无效",
}


def json_error_message(error: Exception) -> str:
    """A Chinese sentence for why a JSON text could not be read (json.JSONDecodeError, RecursionError…)."""
    import json

    if isinstance(error, json.JSONDecodeError):
        reason = _JSON_ERRORS.get(error.msg, "格式错误")
        return f"JSON 格式错误（第{error.lineno}行第{error.colno}列）：{reason}。请检查括号、引号和逗号。"
    if isinstance(error, RecursionError):
        return "JSON 嵌套层数过深，不是平台接受的格式：请按接口说明整理后重试。"
    if isinstance(error, UnicodeDecodeError):
        return f"JSON 不是 UTF-8 编码（第 {error.start + 1} 个字节无法识别）：请以 UTF-8 编码发送。"
    if isinstance(error, ValueError) and "digits" in str(error):
        return "JSON 中有位数过多的数字（超过 4300 位），超出可登记的范围：请检查后重试。"
    return "无法解析请求内容：应为 UTF-8 编码的 JSON，请检查括号、引号和逗号。"
