"""Password rules with Chinese messages: Django's validators, with the sentences our users read.

Django's zh-Hans catalogue has no plural form for the length message, so it reached users in English
("This password is too short…"); every message is written here instead of relying on the catalogue.
"""

from django.contrib.auth import password_validation as django_validation


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短：至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "这个密码太常见，容易被猜到：请换一个不常见的密码。"

    def get_help_text(self) -> str:
        return "不能使用常见密码。"


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全是数字：请加入字母或符号。"

    def get_help_text(self) -> str:
        return "密码不能全是数字。"


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return "密码与您的用户名或姓名太相似：请换一个。"

    def get_help_text(self) -> str:
        return "密码不能与您的用户名或姓名太相似。"
