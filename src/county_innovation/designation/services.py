"""Writes of the designation workflow: each step checks its preconditions and refuses in Chinese.

推荐 (designation_apply) → 形式审查 (formal_check, which also fills the data evaluation) → 专家质询
(experts_assign, review_score) → 公示 (notice_start, objection_record) → 决定 (designation_decide) →
建设期 (build_report_submit, funding_grant) → 评估验收 (acceptance_record); designation_revoke at any time
after the decision.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.models import Role, User
from county_innovation.common import uploads
from county_innovation.common.actors import Actor, history_user
from county_innovation.common.errors import DomainError
from county_innovation.common.numbers import NumberProblem, number_parse
from county_innovation.designation import policies
from county_innovation.designation.models import (
    BUILD_YEARS,
    HELD_STATUSES,
    MIN_EXPERTS,
    PENDING_STATUSES,
    BuildingTarget,
    BuildReport,
    Designation,
    ExpertProfile,
    ExpertReview,
    Funding,
    Level,
    Material,
    Objection,
    ScoreSheet,
    Theme,
)
from county_innovation.designation.rules import FORMAL_CHECKLIST, building_targets_parse, expert_score_of
from county_innovation.designation.selectors import data_evaluation_of, missing_report_years
from county_innovation.regions.models import Region

S = Designation.Status
SCORE_LIMIT = Decimal(10_000)  # ExpertReview.total: max_digits=6, decimal_places=2
SCORE_PLACES = 2
FUNDING_LIMIT = Decimal("1e10")  # Funding.amount: max_digits=12, decimal_places=2 (万元)

MATERIAL_STATUSES = (S.DRAFT, S.RECOMMENDED, S.RETURNED, S.CHECKED, S.REVIEWING)
# An open application of a region at a level blocks another one at the same level.
OPEN_STATUSES = (S.DRAFT, *PENDING_STATUSES, *HELD_STATUSES)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _require_status(designation: Designation, allowed: tuple, action: str) -> None:
    if designation.status not in allowed:
        wanted = "、".join(str(S(s).label) for s in allowed)
        raise DomainError(
            f"「{designation}」当前状态为「{designation.get_status_display()}」，不能{action}（须处于：{wanted}）。"
        )


# --- 推荐 ------------------------------------------------------------------------------------------------------


def _targets_replace(designation: Designation, targets: list[dict]) -> None:
    designation.targets.all().delete()
    BuildingTarget.objects.bulk_create(
        BuildingTarget(designation=designation, position=n, **t) for n, t in enumerate(targets, start=1)
    )


@transaction.atomic
def designation_apply(
    *,
    actor: Actor,
    region: Region,
    level: str,
    theme: str,
    year: int,
    summary: str = "",
    building_targets: list[dict] | None = None,
    submit: bool = True,
    is_demo: bool = False,
) -> Designation:
    """A county recommends itself or one of its towns for a level and a theme; ``submit=False`` saves a draft
    (草稿) that the county completes and submits later with ``designation_submit``."""
    problems = []
    if region.level not in (Region.Level.COUNTY, Region.Level.TOWN):
        raise DomainError(f"「{region.name}」不是县（区）或乡（镇、街道），不能申报创新型县（乡镇）。")
    if policies.outside_own_county(actor, region):
        raise DomainError(
            f"「{region.name}」不属于{actor.region.name}，不能为其他县（区）的乡镇申报；"
            "请由其所在县（区）科技局申报。"
        )
    policies.applications.require(actor, "apply", region)
    if level not in Level.values:
        problems.append(f"申报级别「{level}」无效，应为市级、省级或国家级。")
    if theme not in Theme.values:
        problems.append(f"建设主题「{theme}」无效，应为科技支撑产业发展、生态文明或民生改善。")
    targets, target_problems = building_targets_parse(building_targets or [], region=region, year=year)
    problems += target_problems
    if problems:
        raise DomainError("申报信息有误，请修改后重新提交。", problems)
    existing = (
        Designation.objects.filter(region=region, level=level, status__in=OPEN_STATUSES)
        .select_for_update()
        .first()
    )
    if existing is not None:
        what = {S.DRAFT: "已有申报草稿"}.get(
            existing.status, "已获认定" if existing.status in HELD_STATUSES else "已有申报正在办理"
        )
        raise DomainError(
            f"「{region.name}」{what}（{existing.get_level_display()}，{existing.year}年，"
            f"{existing.get_status_display()}），不能重复申报同一级别。"
        )
    county = region if region.is_county else region.parent
    designation = Designation.objects.create(
        region=region,
        county=county,
        level=level,
        theme=theme,
        year=year,
        status=S.RECOMMENDED if submit else S.DRAFT,
        summary=summary.strip(),
        applied_by=history_user(actor),
        is_demo=is_demo,
    )
    _targets_replace(designation, targets)
    return designation


@transaction.atomic
def designation_draft_update(
    *,
    designation: Designation,
    actor: Actor,
    level: str,
    theme: str,
    summary: str = "",
    building_targets: list[dict] | None = None,
) -> Designation:
    """Change a draft: level, theme, summary and building targets (replaced as a whole)."""
    policies.designations.require(actor, "edit", designation)
    _require_status(designation, (S.DRAFT,), "修改申报内容")
    problems = []
    if level not in Level.values:
        problems.append(f"申报级别「{level}」无效，应为市级、省级或国家级。")
    if theme not in Theme.values:
        problems.append(f"建设主题「{theme}」无效，应为科技支撑产业发展、生态文明或民生改善。")
    targets, target_problems = building_targets_parse(
        building_targets or [], region=designation.region, year=designation.year
    )
    problems += target_problems
    if level != designation.level and (
        Designation.objects.filter(region=designation.region, level=level, status__in=OPEN_STATUSES)
        .exclude(pk=designation.pk)
        .exists()
    ):
        problems.append(f"「{designation.region.name}」在{Level(level).label}已有申报或认定，不能重复申报。")
    if problems:
        raise DomainError("申报信息有误，请修改后重新保存。", problems)
    designation.level, designation.theme, designation.summary = level, theme, summary.strip()
    designation.save()
    _targets_replace(designation, targets)
    return designation


@transaction.atomic
def designation_submit(*, designation: Designation, actor: Actor) -> Designation:
    """提交推荐: a draft goes to the city for the formal check."""
    policies.designations.require(actor, "edit", designation)
    _require_status(designation, (S.DRAFT,), "提交推荐")
    designation.status = S.RECOMMENDED
    designation.applied_by = history_user(actor) or designation.applied_by
    designation.applied_at = timezone.now()
    designation.save()
    return designation


@transaction.atomic
def material_add(
    *, designation: Designation, actor: Actor, title: str, filename: str, content: bytes
) -> Material:
    """Attach a document (PDF, DOCX, XLSX, JPG, PNG; at most 20 MB; real type checked by its bytes)."""
    policies.designations.require(actor, "edit", designation)
    _require_status(designation, MATERIAL_STATUSES, "上传申报材料")
    checked = uploads.check_upload(filename, content, max_bytes=uploads.MAX_UPLOAD_BYTES)
    return Material.objects.create(
        designation=designation,
        title=(title or "").strip() or checked.filename,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=history_user(actor),
    )


# --- 形式审查 + 数据评价 --------------------------------------------------------------------------------------


@transaction.atomic
def formal_check(
    *, designation: Designation, actor: Actor, checklist: dict[str, bool], note: str = ""
) -> Designation:
    """Check the application against FORMAL_CHECKLIST; pass → data evaluation filled in, fail → returned."""
    policies.designations.require(actor, "manage", designation)
    _require_status(designation, (S.RECOMMENDED,), "进行形式审查")
    missing = [label for key, label in FORMAL_CHECKLIST.items() if not checklist.get(key)]
    designation.checklist = {key: bool(checklist.get(key)) for key in FORMAL_CHECKLIST}
    designation.checked_at = timezone.now()
    if not missing and not designation.materials.exists():
        missing.append("未上传任何申报材料")
    if missing:
        designation.status = S.RETURNED
        designation.check_note = (
            (note.strip() + "\n" if note.strip() else "") + "不符合项：" + "；".join(missing)
        )
    else:
        designation.status = S.CHECKED
        designation.check_note = note.strip()
        designation.data_evaluation = data_evaluation_of(designation.region)
    designation.save()
    return designation


# --- 专家质询 ---------------------------------------------------------------------------------------------------


def _expert_county(expert: User) -> Region | None:
    profile = ExpertProfile.objects.filter(user=expert).select_related("home_region").first()
    if profile is None or profile.home_region is None:
        return None
    home = profile.home_region
    return home if home.level == Region.Level.COUNTY else Region.objects.filter(code=home.code[:6]).first()


def _check_pool_fields(name: str, home_region: Region | None) -> list[str]:
    problems = []
    if not name.strip():
        problems.append("请填写专家姓名。")
    if home_region is not None and home_region.level != Region.Level.COUNTY:
        problems.append(
            f"「{home_region.name}」不是县（区）：所在县（区）用于回避，请选择县（区）或「市外」。"
        )
    return problems


@transaction.atomic
def expert_create(
    *,
    actor: Actor,
    name: str,
    username: str,
    organisation: str = "",
    field: str = "",
    home_region: Region | None = None,
) -> tuple[ExpertProfile, str]:
    """专家库: add an expert with a new login account; returns the entry and the initial password, which is
    not kept anywhere in clear (the city admin hands it over once)."""
    policies.experts.require(actor, "manage")
    username = username.strip()
    problems = _check_pool_fields(name, home_region)
    if not username:
        problems.append("请填写登录用户名。")
    elif User.objects.filter(username=username).exists():
        problems.append(f"用户名「{username}」已被使用，请换一个，或选择「关联已有专家账号」。")
    if problems:
        raise DomainError("专家未能入库，请修改后重试。", problems)
    password = secrets.token_urlsafe(9)
    account = User.objects.create_user(
        username=username, password=password, role=Role.EXPERT, display_name=name.strip()
    )
    profile = ExpertProfile.objects.create(
        user=account, home_region=home_region, affiliation=organisation.strip(), field=field.strip()
    )
    return profile, password


@transaction.atomic
def expert_link(
    *,
    actor: Actor,
    account: User,
    name: str = "",
    organisation: str = "",
    field: str = "",
    home_region: Region | None = None,
) -> ExpertProfile:
    """专家库: add an existing expert account (one without a pool entry)."""
    policies.experts.require(actor, "manage")
    problems = _check_pool_fields(name or account.display_name or account.username, home_region)
    if not policies.is_expert(account):
        problems.append(f"「{account}」不是专家账号，不能加入专家库。")
    elif ExpertProfile.objects.filter(user=account).exists():
        problems.append(f"「{account}」已在专家库中。")
    if problems:
        raise DomainError("专家未能入库，请修改后重试。", problems)
    if name.strip():
        account.display_name = name.strip()
        account.save(update_fields=["display_name"])
    return ExpertProfile.objects.create(
        user=account, home_region=home_region, affiliation=organisation.strip(), field=field.strip()
    )


@transaction.atomic
def expert_update(
    *,
    actor: Actor,
    profile: ExpertProfile,
    name: str,
    organisation: str = "",
    field: str = "",
    home_region: Region | None = None,
    active: bool = True,
) -> ExpertProfile:
    """Change a pool entry; an inactive expert can no longer sign in or be assigned (past reviews stay)."""
    policies.experts.require(actor, "manage")
    problems = _check_pool_fields(name, home_region)
    if problems:
        raise DomainError("专家信息未能保存，请修改后重试。", problems)
    account = profile.user
    account.display_name, account.is_active = name.strip(), active
    account.save(update_fields=["display_name", "is_active"])
    profile.affiliation, profile.field, profile.home_region = organisation.strip(), field.strip(), home_region
    profile.save()
    return profile


@transaction.atomic
def expert_profile_set(
    *, actor: Actor, expert: User, home_region: Region | None, affiliation: str = "", field: str = ""
) -> ExpertProfile:
    policies.experts.require(actor, "manage")
    if not policies.is_expert(expert):
        raise DomainError(f"「{expert}」不是专家账号，不能登记专家信息。")
    profile, _ = ExpertProfile.objects.update_or_create(
        user=expert, defaults={"home_region": home_region, "affiliation": affiliation, "field": field}
    )
    return profile


@transaction.atomic
def experts_assign(
    *, designation: Designation, actor: Actor, experts: list[User], score_sheet: ScoreSheet | None = None
) -> list[ExpertReview]:
    """Assign experts (at least MIN_EXPERTS in all, none from the applicant's county)."""
    policies.designations.require(actor, "manage", designation)
    _require_status(designation, (S.CHECKED, S.REVIEWING), "分配评审专家")
    problems = []
    already = set(designation.reviews.values_list("expert_id", flat=True))
    new = [e for e in dict.fromkeys(experts) if e.pk not in already]
    for expert in new:
        if not policies.is_expert(expert):
            problems.append(f"「{expert}」不是专家账号。")
            continue
        if not expert.is_active:
            problems.append(f"专家「{expert}」已停用，不能分配评审。")
            continue
        home = _expert_county(expert)
        if home is not None and home.code == designation.county_id:
            problems.append(
                f"专家「{expert}」来自申报单位所在的{home.name}，须回避，不能评审本县（区）的申报。"
            )
    if len(already) + len(new) < MIN_EXPERTS:
        problems.append(f"每项申报至少分配 {MIN_EXPERTS} 名专家，当前只有 {len(already) + len(new)} 名。")
    if problems:
        raise DomainError("专家分配未完成，请调整后重试。", problems)
    sheet = score_sheet or designation.score_sheet or ScoreSheet.objects.filter(is_default=True).first()
    if sheet is None:
        raise DomainError("尚未配置专家评分表，请先在管理后台添加评分表。")
    designation.score_sheet = sheet
    designation.status = S.REVIEWING
    designation.save()
    return [ExpertReview.objects.create(designation=designation, expert=e) for e in new]


@transaction.atomic
def review_score(
    *, review: ExpertReview, actor: Actor, scores: dict[str, object], comment: str = ""
) -> ExpertReview:
    """An expert scores every criterion of the application's score sheet (0 to the criterion's maximum)."""
    policies.reviews.require(actor, "score", review)
    designation = review.designation
    _require_status(designation, (S.REVIEWING,), "评分")
    problems = []
    clean: dict[str, str] = {}
    for criterion in designation.score_sheet.criteria:
        raw = scores.get(criterion["key"])
        try:
            value = number_parse(raw, label=criterion["label"], max_abs=SCORE_LIMIT, places=SCORE_PLACES)
        except NumberProblem as problem:
            problems.append(problem.message)
            continue
        if value is None:
            problems.append(f"「{criterion['label']}」应为数字，实际为「未填写」。")
            continue
        if not (0 <= value <= Decimal(criterion["max"])):
            problems.append(f"「{criterion['label']}」应在 0–{criterion['max']} 分之间，实际为 {value}。")
            continue
        clean[criterion["key"]] = str(value)
    if problems:
        raise DomainError("评分有误，请修改后重新提交。", problems)
    review.scores = clean
    review.total = sum((Decimal(v) for v in clean.values()), Decimal("0"))
    review.comment = comment.strip()
    review.scored_at = timezone.now()
    review.save()
    return review


# --- 公示 ------------------------------------------------------------------------------------------------------


@transaction.atomic
def notice_start(
    *, designation: Designation, actor: Actor, start: datetime.date, end: datetime.date
) -> Designation:
    policies.designations.require(actor, "manage", designation)
    _require_status(designation, (S.REVIEWING,), "开始公示")
    reviews = list(designation.reviews.all())
    unscored = [str(r.expert) for r in reviews if r.total is None]
    if len(reviews) < MIN_EXPERTS:
        raise DomainError(f"评审专家不足 {MIN_EXPERTS} 名，不能开始公示。")
    if unscored:
        raise DomainError(f"还有专家未评分（{'、'.join(unscored)}），全部评分后才能公示。")
    if end < start:
        raise DomainError(f"公示截止日期（{end}）早于开始日期（{start}），请重新填写。")
    designation.expert_score = expert_score_of([r.total for r in reviews])
    designation.notice_start, designation.notice_end = start, end
    designation.status = S.NOTICE
    designation.save()
    return designation


@transaction.atomic
def objection_record(
    *,
    designation: Designation,
    actor: Actor,
    received_on: datetime.date,
    content: str,
    submitter: str = "",
    resolution: str = "",
) -> Objection:
    policies.designations.require(actor, "manage", designation)
    _require_status(designation, (S.NOTICE,), "登记公示异议")
    if not content.strip():
        raise DomainError("请填写异议内容。")
    return Objection.objects.create(
        designation=designation,
        received_on=received_on,
        submitter=submitter.strip(),
        content=content.strip(),
        resolution=resolution.strip(),
        recorded_by=history_user(actor),
    )


# --- 决定 ------------------------------------------------------------------------------------------------------


@transaction.atomic
def designation_decide(
    *,
    designation: Designation,
    actor: Actor,
    approve: bool,
    level: str | None = None,
    year: int | None = None,
    funding: Decimal | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> Designation:
    """After the public notice has ended: designate (level, year, funding) or reject."""
    policies.designations.require(actor, "manage", designation)
    _require_status(designation, (S.NOTICE,), "作出认定决定")
    today = _today(today)
    if today <= designation.notice_end:
        raise DomainError(
            f"公示期至 {designation.notice_end} 结束，公示期满后（{designation.notice_end + datetime.timedelta(days=1)} 起）"
            "才能作出认定决定。"
        )
    open_objections = designation.objections.filter(resolution="").count()
    if open_objections:
        raise DomainError(f"还有 {open_objections} 条公示异议未处理，请先登记处理结果。")
    designation.decided_at = timezone.now()
    designation.decision_note = note.strip()
    if not approve:
        designation.status = S.REJECTED
        designation.save()
        return designation
    level = level or designation.level
    if level not in Level.values:
        raise DomainError(f"认定级别「{level}」无效，应为市级、省级或国家级。")
    designation.decided_level = level
    designation.decided_year = year or today.year
    designation.build_start = today
    designation.build_end = _add_years(today, BUILD_YEARS)
    designation.status = S.BUILDING
    designation.save()
    if funding:
        funding_grant(
            designation=designation,
            actor=actor,
            year=designation.decided_year,
            amount=funding,
            note="认定支持资金",
        )
    return designation


# --- 建设期 ----------------------------------------------------------------------------------------------------


@transaction.atomic
def build_report_submit(
    *, designation: Designation, actor: Actor, year: int, text: str, target_progress: list | None = None
) -> BuildReport:
    policies.designations.require(actor, "edit", designation)
    _require_status(designation, (S.BUILDING,), "报送年度建设报告")
    if not text.strip():
        raise DomainError("请填写建设进展。")
    if not (designation.build_start.year <= year <= designation.build_end.year):
        raise DomainError(
            f"{year}年不在建设期（{designation.build_start}—{designation.build_end}）内，不能报送该年度报告。"
        )
    if designation.build_reports.filter(year=year).exists():
        raise DomainError(f"{year}年度建设报告已报送，不能重复报送。")
    return BuildReport.objects.create(
        designation=designation,
        year=year,
        text=text.strip(),
        target_progress=target_progress or [],
        submitted_by=history_user(actor),
    )


@transaction.atomic
def funding_grant(
    *, designation: Designation, actor: Actor, year: int, amount: Decimal | str, note: str = ""
) -> Funding:
    policies.designations.require(actor, "manage", designation)
    if designation.status not in HELD_STATUSES:
        raise DomainError(f"「{designation}」未处于认定有效状态，不能登记支持资金。")
    try:
        parsed = number_parse(amount, expected="数字（万元）", unit="万元", max_abs=FUNDING_LIMIT, places=2)
    except NumberProblem as problem:
        raise DomainError(f"资金金额{problem.reason}。") from None
    if parsed is None:
        raise DomainError("请填写资金金额（万元）。")
    amount = parsed
    if amount <= 0:
        raise DomainError(f"资金金额应大于 0（万元），实际为 {amount}。")
    return Funding.objects.create(
        designation=designation,
        year=year,
        amount=amount.quantize(Decimal("0.01")),
        note=note.strip(),
        granted_by=history_user(actor),
    )


# --- 评估验收 / 撤销 -------------------------------------------------------------------------------------------


@transaction.atomic
def acceptance_record(
    *,
    designation: Designation,
    actor: Actor,
    result: str,
    note: str = "",
    today: datetime.date | None = None,
) -> Designation:
    policies.designations.require(actor, "manage", designation)
    _require_status(designation, (S.BUILDING,), "评估验收")
    today = _today(today)
    if today < designation.build_end:
        raise DomainError(f"建设期至 {designation.build_end} 结束，期满后才能评估验收（今天是 {today}）。")
    if result not in Designation.Acceptance.values:
        raise DomainError(f"验收结论「{result}」无效，应为优秀、合格或不合格。")
    missing = missing_report_years(designation)
    if missing:
        raise DomainError(
            f"建设期内还缺 {'、'.join(f'{y}年度' for y in missing)}建设报告，报告齐全后才能评估验收；"
            "请县（区）科技局先在本页报送。"
        )
    designation.acceptance = result
    designation.acceptance_note = note.strip()
    designation.accepted_at = timezone.now()
    designation.status = S.FAILED if result == Designation.Acceptance.FAIL else S.ACCEPTED
    designation.save()
    return designation


@transaction.atomic
def designation_revoke(*, designation: Designation, actor: Actor, reason: str) -> Designation:
    policies.designations.require(actor, "manage", designation)
    _require_status(designation, HELD_STATUSES, "撤销")
    if not reason.strip():
        raise DomainError("请填写撤销原因。")
    designation.status = S.REVOKED
    designation.revoked_at = timezone.now()
    designation.revocation_reason = reason.strip()
    designation.save()
    return designation
