"""One translation of a refusal into Chinese messages for every view."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from county_innovation.common.errors import DomainError
from county_innovation.common.feedback import domain_error_messages, form_error_messages, perform


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_domain_error_lists_its_problems_and_caps_them():
    error = DomainError("导入失败：", [f"第{i}行" for i in range(1, 61)])
    lines = domain_error_messages(error)
    assert lines[0] == "导入失败：" and lines[1] == "第1行"
    assert lines[-1] == "……另有 10 个问题未列出。" and len(lines) == 52


def test_permission_and_validation_errors_become_their_messages():
    assert domain_error_messages(PermissionDenied("无权操作。")) == ["无权操作。"]
    assert domain_error_messages(PermissionDenied()) == ["您没有权限执行此操作。"]
    assert domain_error_messages(ValidationError(["甲", "乙"])) == ["甲", "乙"]


def test_form_errors_carry_the_field_label():
    class F(forms.Form):
        name = forms.CharField(label="名称")

    form = F(data={})
    assert form_error_messages(form) == ["名称：这个字段是必填项。"]


def test_perform_says_what_happened():
    request = _request()
    assert perform(request, lambda: 7, done="已保存。") == (True, 7)

    def refuse():
        raise DomainError("不能提交：", ["缺少数据"])

    assert perform(request, refuse) == (False, None)
    assert [str(m) for m in get_messages(request)] == ["已保存。", "不能提交：", "缺少数据"]
