"""The departments of a property company and what each must report in its monthly summary.

篇二, part 二 《各部门总结中要求说明的内容》 (seed 000, lines 85–192) lists, per department, the
items a monthly summary must state: administration office 7, HR 7, engineering 6, security 7,
cleaning 8, property services 15, finance 9. Each item is transcribed here as one
:class:`Item` carrying the document's wording (``zh``), an English label, and the typed fields
the summary form asks for. Ratios and totals the document asks for (collection rate, share of
each repair category, ratio to budget) are :class:`Computed` fields: worked out from the typed
ones, never typed.

The catalogue is frozen in code: it is the form definition, not data. Stored values name their
field by ``key``, so keys never change once released (add new keys instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .i18n import lazy_gettext as _l

# -- field kinds ------------------------------------------------------------------------------

COUNT = "count"  #: a whole number ≥ 0 (times, people, kilometres, hours)
MONEY = "money"  #: yuan, ≥ 0, two decimals
PERCENT = "percent"  #: 0–100, two decimals
TEXT = "text"  #: free text (analysis, reasons, a summary)
BREAKDOWN = "breakdown"  #: lines "category: value"; shares are computed
KINDS = (COUNT, MONEY, PERCENT, TEXT, BREAKDOWN)

#: Largest count and amount accepted: a typing slip, not a real month, beyond these.
MAX_COUNT = 10**9
MAX_MONEY = Decimal("999999999999.99")


@dataclass(frozen=True)
class Field:
    """One typed input of a summary's metrics form."""

    key: str
    kind: str
    zh: str
    en: str
    #: What a count counts (次, 人, 公里...); shown next to the input.
    unit: str = ""
    required: bool = True
    #: For a breakdown: whether its lines carry counts or amounts.
    of: str = MONEY
    #: For a breakdown: the key of the field its lines must add up to.
    total: str | None = None
    #: A level at the end of the month (headcount, households, a cumulative count), not a
    #: flow: a quarter reports its last month's value instead of adding the months up.
    stock: bool = False

    computed = False

    @property
    def numeric(self) -> bool:
        return self.kind in (COUNT, MONEY, PERCENT)


@dataclass(frozen=True)
class Computed:
    """A value derived from typed fields: ``sum`` of fields, or ``ratio`` numerator/denominator.

    Company-wide, a ratio is the ratio of the sums (not the average of the departments' ratios).
    """

    key: str
    kind: str
    zh: str
    en: str
    op: str
    args: tuple[str, ...]
    unit: str = ""

    computed = True
    required = False
    numeric = True
    stock = False


@dataclass(frozen=True)
class Rule:
    """A check across fields. ``at_most``: *a* ≤ *b*; ``one_of``: *a* or *b* is filled."""

    op: str
    a: str
    b: str
    message: str


@dataclass(frozen=True)
class Item:
    """One numbered item of a department's list, as the document words it."""

    number: int
    #: The document's wording, verbatim.
    zh: str
    en: str
    fields: tuple[Field | Computed, ...]
    rules: tuple[Rule, ...] = ()
    #: Line of the item in seed 000.
    line: int = 0


@dataclass(frozen=True)
class Department:
    """A kind of department of a property company."""

    key: str
    #: ``Unit.kind`` of such departments.
    kind: str
    zh: str
    en: str
    items: tuple[Item, ...]

    @property
    def fields(self) -> tuple[Field | Computed, ...]:
        return tuple(f for item in self.items for f in item.fields)

    @property
    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.computed)

    def field(self, key: str) -> Field | Computed:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


def count(key, zh, en, unit="", required=True, stock=False) -> Field:
    return Field(key, COUNT, zh, en, unit=unit, required=required, stock=stock)


def money(key, zh, en, required=True) -> Field:
    return Field(key, MONEY, zh, en, unit="元", required=required)


def text(key, zh, en, required=False) -> Field:
    return Field(key, TEXT, zh, en, required=required)


def breakdown(key, zh, en, of=MONEY, total=None) -> Field:
    return Field(key, BREAKDOWN, zh, en, required=False, of=of, total=total)


def total_of(key, zh, en, *parts, kind=COUNT) -> Computed:
    return Computed(key, kind, zh, en, "sum", parts)


def share(key, zh, en, part, whole) -> Computed:
    return Computed(key, PERCENT, zh, en, "ratio", (part, whole))


def at_most(a, b, message) -> Rule:
    return Rule("at_most", a, b, message)


def one_of(a, b, message) -> Rule:
    return Rule("one_of", a, b, message)


def problems(number: int, line: int, zh="本月本部门工作最主要的问题和最大的改进和变化。") -> Item:
    """The item every department ends with: main problems, biggest improvements and changes."""
    return Item(
        number,
        zh,
        _l("The department's main problems this month, and the biggest improvements and changes."),
        (
            text("main_problems", "最主要的问题", _l("Main problems"), required=True),
            text("main_improvements", "最大的改进和变化", _l("Biggest improvements and changes"),
                 required=True),
        ),
        line=line,
    )


def evaluation(number: int, line: int, zh="本月本部门员工考评情况总结。") -> Item:
    return Item(
        number, zh, _l("Summary of this month's staff evaluation in the department."),
        (text("evaluation_summary", "员工考评情况总结", _l("Staff evaluation summary")),),
        line=line,
    )


# -- 一、行政办公室 (lines 87–101) ----------------------------------------------------------

ADMIN = Department("admin", "property_admin", "行政办公室", _l("Administration office"), (
    Item(1, "本月组织活动次数、总结最主要的经验和教训。",
         _l("Activities organised this month; the main experience and lessons."), (
             count("activities", "组织活动次数", _l("Activities organised"), "次"),
             text("activity_lessons", "最主要的经验和教训", _l("Main experience and lessons")),
         ), line=89),
    Item(2, "本月共组织了多少次园区巡视,共发现问题多少条(分类和汇总情况),各部门完成和落实的情况如何",
         _l("Estate patrols organised this month, problems found (by category and in total), "
            "and how the departments resolved and followed them up."), (
             count("patrols", "园区巡视次数", _l("Estate patrols"), "次"),
             count("patrol_problems", "发现问题条数", _l("Problems found"), "条"),
             breakdown("patrol_problem_categories", "问题分类", _l("Problems by category"),
                       of=COUNT, total="patrol_problems"),
             text("patrol_follow_up", "各部门完成和落实的情况",
                  _l("How the departments resolved and followed up")),
         ), line=91),
    Item(3, "车辆管理情况:因公外出车次、公里数、车辆完好情况、车辆检查情况等。",
         _l("Vehicle management: official trips, kilometres, vehicle condition, vehicle "
            "checks."), (
             count("vehicle_trips", "因公外出车次", _l("Official trips"), "车次"),
             count("vehicle_km", "公里数", _l("Kilometres driven"), "公里"),
             text("vehicle_condition", "车辆完好情况", _l("Vehicle condition")),
             text("vehicle_checks", "车辆检查情况", _l("Vehicle checks")),
         ), line=93),
    Item(4, "采购情况:物品采购情况、采买总额、各类别比例、供方评选和检查情况。",
         _l("Purchasing: goods bought, total spent, share of each category, supplier selection "
            "and checks."), (
             text("purchases", "物品采购情况", _l("Goods bought")),
             money("purchase_total", "采买总额", _l("Total spent on purchases")),
             breakdown("purchase_categories", "各类别采买金额", _l("Purchases by category"),
                       total="purchase_total"),
             text("supplier_review", "供方评选和检查情况", _l("Supplier selection and checks")),
         ), line=95),
    problems(5, 97),
    Item(6, "本月公司大事记。", _l("The company's chronicle of major events this month."), (
        text("company_events", "公司大事记", _l("Major events"), required=True),
    ), line=99),
    Item(7, "(物业专刊)的投稿量,选用量,比例,稿件征集情况总结。",
         _l("Property newsletter: articles submitted, articles published, the ratio, and how "
            "articles were collected."), (
             count("newsletter_submitted", "投稿量", _l("Articles submitted"), "篇"),
             count("newsletter_published", "选用量", _l("Articles published"), "篇"),
             share("newsletter_ratio", "选用比例", _l("Share published"),
                   "newsletter_published", "newsletter_submitted"),
             text("newsletter_collection", "稿件征集情况总结", _l("How articles were collected")),
         ), rules=(
             at_most("newsletter_published", "newsletter_submitted",
                     _l("More articles published than submitted.")),
         ), line=101),
))

# -- 二、人事部 (lines 103–119) ----------------------------------------------------------------

HR = Department("hr", "property_hr", "人事部", _l("Human resources"), (
    Item(1, "招聘情况:几次、形式及总结。", _l("Recruitment: how many rounds, in what form, and a summary."), (
        count("recruitment_rounds", "招聘次数", _l("Recruitment rounds"), "次"),
        text("recruitment_forms", "招聘形式", _l("Forms of recruitment")),
        text("recruitment_summary", "招聘总结", _l("Recruitment summary")),
    ), line=105),
    Item(2, "培训情况:几次、名称、地点,效果评价。",
         _l("Training: how many sessions, their names and places, and how effective they were."), (
             count("trainings", "培训次数", _l("Training sessions"), "次"),
             text("training_names_places", "培训名称、地点", _l("Training names and places")),
             text("training_evaluation", "效果评价", _l("Effectiveness")),
         ), line=107),
    Item(3, "员工在岗情况、人数。", _l("Staff on duty: situation and headcount."), (
        count("headcount", "在岗人数", _l("Staff on duty"), "人", stock=True),
        text("on_duty_situation", "员工在岗情况", _l("On-duty situation")),
    ), line=109),
    Item(4, "本月员工流动情况:上岗人数、辞职、离职人数(辞职、离职主要原因分析。",
         _l("Staff turnover this month: people who started, resigned and left, with the main "
            "reasons for resigning and leaving."), (
             count("hires", "上岗人数", _l("Started work"), "人"),
             count("resignations", "辞职人数", _l("Resigned"), "人"),
             count("departures", "离职人数", _l("Left"), "人"),
             text("turnover_reasons", "辞职、离职主要原因分析",
                  _l("Main reasons for resigning and leaving")),
         ), line=111),
    Item(5, "本月各部门员工考评情况统计,各部门第一情况,最后一名情况,需不需要进行处理,按规定应由谁处理。"
            "优秀员工候选人上报情况。",
         _l("Staff evaluation by department this month: who came first and last in each "
            "department, whether action is needed and who must take it; outstanding-employee "
            "nominations."), (
             text("evaluation_statistics", "各部门员工考评情况统计",
                  _l("Evaluation statistics by department")),
             text("evaluation_first_last", "各部门第一名、最后一名情况,是否需要处理,应由谁处理",
                  _l("First and last in each department; action needed and by whom")),
             count("outstanding_nominations", "优秀员工候选人上报人数",
                   _l("Outstanding-employee nominations"), "人"),
         ), line=113),
    problems(6, 117, "本月人事工作最主要的问题和最大的改进和变化。"),
    Item(7, "本月公司内部工作环境和协调氛围如何。",
         _l("The company's internal working environment and atmosphere of cooperation this "
            "month."), (
             text("work_climate", "内部工作环境和协调氛围",
                  _l("Working environment and cooperation")),
         ), line=119),
))

# -- 三、工程部 (lines 121–129) ---------------------------------------------------------------

ENGINEERING = Department("engineering", "property_engineering", "工程部", _l("Engineering"), (
    Item(1, "总服务量、各类别比:正常维修、特约维修、协助返修等。",
         _l("Total service volume and the share of each category: normal repairs, special "
            "(paid) repairs, assisted re-repairs, etc."), (
             count("repairs_normal", "正常维修", _l("Normal repairs"), "次"),
             count("repairs_special", "特约维修", _l("Special (paid) repairs"), "次"),
             count("repairs_rework", "协助返修", _l("Assisted re-repairs"), "次"),
             count("repairs_other", "其他", _l("Other services"), "次"),
             total_of("service_total", "总服务量", _l("Total service volume"),
                      "repairs_normal", "repairs_special", "repairs_rework", "repairs_other"),
             share("share_normal", "正常维修比例", _l("Share of normal repairs"),
                   "repairs_normal", "service_total"),
             share("share_special", "特约维修比例", _l("Share of special repairs"),
                   "repairs_special", "service_total"),
             share("share_rework", "协助返修比例", _l("Share of assisted re-repairs"),
                   "repairs_rework", "service_total"),
         ), line=123),
    Item(2, "各设备系统维修、维护总量:工时、人次均可。",
         _l("Repair and maintenance volume of each equipment system, in work hours or "
            "person-times."), (
             breakdown("maintenance_by_system", "各设备系统维修、维护量",
                       _l("Repair and maintenance by system"), of=COUNT,
                       total="maintenance_total"),
             count("maintenance_total", "维修、维护总量(工时或人次)",
                   _l("Repair and maintenance in total (hours or person-times)")),
         ), line=125),
    Item(3, "各系统运行情况。", _l("How each system ran."), (
        text("systems_operation", "各系统运行情况", _l("System operation"), required=True),
    ), line=126),
    Item(4, "总出勤人次, 人员管理情况。", _l("Total attendance in person-times; staff management."), (
        count("attendance", "总出勤人次", _l("Attendance"), "人次"),
        text("staff_management", "人员管理情况", _l("Staff management")),
    ), line=127),
    evaluation(5, 128, "本月本部门考评总结。"),
    problems(6, 129),
))

# -- 四、保安部 (lines 131–139) ---------------------------------------------------------------

SECURITY = Department("security", "property_security", "保安部", _l("Security"), (
    Item(1, "发现解决隐患总量。", _l("Hazards found and resolved."), (
        count("hazards_found", "发现隐患", _l("Hazards found"), "处"),
        count("hazards_resolved", "解决隐患", _l("Hazards resolved"), "处"),
    ), line=133),
    Item(2, "完成保安工作总量:可人日次、可岗次。",
         _l("Security work done, in person-days or in post-shifts."), (
             count("guard_person_days", "人日次", _l("Person-days"), "人日", required=False),
             count("guard_posts", "岗次", _l("Post-shifts"), "岗次", required=False),
         ), rules=(
             one_of("guard_person_days", "guard_posts",
                    _l("Give the security work done in person-days or in post-shifts.")),
         ), line=134),
    Item(3, "确认报警次数。", _l("Confirmed alarms."), (
        count("alarms_confirmed", "确认报警次数", _l("Confirmed alarms"), "次"),
    ), line=135),
    Item(4, "有关设备系统运行情况。", _l("How the security equipment and systems ran."), (
        text("systems_operation", "有关设备系统运行情况", _l("System operation"), required=True),
    ), line=136),
    evaluation(5, 137),
    problems(6, 138),
    Item(7, "目前园最大的安全和消防隐患是什么。",
         _l("The biggest safety and fire hazard on the estate at present."), (
             text("biggest_hazard", "目前最大的安全和消防隐患",
                  _l("Biggest safety and fire hazard"), required=True),
         ), line=139),
))

# -- 五、保洁部 (lines 141–151) ---------------------------------------------------------------

CLEANING = Department("cleaning", "property_cleaning", "保洁部", _l("Cleaning"), (
    Item(1, "入室保洁量。", _l("In-home cleaning jobs."), (
        count("in_home_cleaning", "入室保洁量", _l("In-home cleaning jobs"), "户次"),
    ), line=143),
    Item(2, "完成保洁工作总量:可人日次、可岗次。",
         _l("Cleaning work done, in person-days or in post-shifts."), (
             count("cleaning_person_days", "人日次", _l("Person-days"), "人日", required=False),
             count("cleaning_posts", "岗次", _l("Post-shifts"), "岗次", required=False),
         ), rules=(
             one_of("cleaning_person_days", "cleaning_posts",
                    _l("Give the cleaning work done in person-days or in post-shifts.")),
         ), line=144),
    Item(3, "特约服务量。", _l("Special (paid) services."), (
        count("special_services", "特约服务量", _l("Special services"), "次"),
    ), line=145),
    Item(4, "开荒清扫量。", _l("First cleans of new premises."), (
        count("first_cleans", "开荒清扫量", _l("First cleans"), "户次"),
    ), line=146),
    Item(5, "垃圾运量。", _l("Refuse removed."), (
        count("refuse_loads", "垃圾运量", _l("Refuse removed"), "车次"),
    ), line=148),
    Item(6, "其它外包保洁服务工作量及完成情况、完成质量。",
         _l("Other outsourced cleaning: volume of work, completion and quality."), (
             count("outsourced_jobs", "外包保洁服务工作量", _l("Outsourced cleaning jobs"), "次"),
             text("outsourced_completion", "完成情况", _l("Completion")),
             text("outsourced_quality", "完成质量", _l("Quality")),
         ), line=149),
    evaluation(7, 150),
    problems(8, 151),
))

# -- 六、物业部 (lines 153–172) ---------------------------------------------------------------

SERVICE = Department("service", "property_service", "物业部", _l("Property services"), (
    Item(1, "接待报修总量(各类别比例:返修、正常维修、特约服务等)。",
         _l("Repair requests received (share of each category: re-repairs, normal repairs, "
            "special services, etc.)."), (
             count("requests_rework", "返修", _l("Re-repairs"), "次"),
             count("requests_normal", "正常维修", _l("Normal repairs"), "次"),
             count("requests_special", "特约服务", _l("Special services"), "次"),
             count("requests_other", "其他", _l("Other requests"), "次"),
             total_of("requests_total", "接待报修总量", _l("Repair requests received"),
                      "requests_rework", "requests_normal", "requests_special",
                      "requests_other"),
             share("share_requests_rework", "返修比例", _l("Share of re-repairs"),
                   "requests_rework", "requests_total"),
             share("share_requests_normal", "正常维修比例", _l("Share of normal repairs"),
                   "requests_normal", "requests_total"),
             share("share_requests_special", "特约服务比例", _l("Share of special services"),
                   "requests_special", "requests_total"),
         ), line=155),
    Item(2, "收楼入伙数量(本月数量、累计量)。",
         _l("Handovers and move-ins (this month, cumulative)."), (
             count("handovers", "本月收楼入伙数量", _l("Handovers this month"), "户"),
             count("handovers_cumulative", "累计收楼入伙数量", _l("Handovers in total"), "户", stock=True),
         ), rules=(
             at_most("handovers", "handovers_cumulative",
                     _l("The cumulative handovers cannot be fewer than this month's.")),
         ), line=156),
    Item(3, "投诉数量(主要引发原因分析及汇总)。",
         _l("Complaints (analysis and summary of the main causes)."), (
             count("complaints", "投诉数量", _l("Complaints"), "件"),
             breakdown("complaint_causes", "投诉按原因汇总", _l("Complaints by cause"),
                       of=COUNT, total="complaints"),
             text("complaint_analysis", "主要引发原因分析", _l("Analysis of the main causes")),
         ), line=157),
    Item(4, "客户重要信件包裹量。", _l("Important letters and parcels for customers."), (
        count("parcels", "客户重要信件包裹量", _l("Letters and parcels"), "件"),
    ), line=158),
    Item(5, "小推车使用次数。", _l("Trolley uses."), (
        count("trolley_uses", "小推车使用次数", _l("Trolley uses"), "次"),
    ), line=159),
    Item(6, "现入住总户、涉外居住人数、已上报登记备案人数、已入伙但未入住的客户量、退租数、退租原因调查统计。",
         _l("Households in residence, foreign residents, foreign residents registered with the "
            "authorities, customers moved in on paper but not living there, tenancies ended, "
            "and a survey of why."), (
             count("households", "现入住总户", _l("Households in residence"), "户", stock=True),
             count("foreign_residents", "涉外居住人数", _l("Foreign residents"), "人", stock=True),
             count("foreign_registered", "已上报登记备案人数",
                   _l("Foreign residents registered"), "人", stock=True),
             count("not_living", "已入伙但未入住的客户量",
                   _l("Moved in but not living there"), "户", stock=True),
             count("tenancies_ended", "退租数", _l("Tenancies ended"), "户"),
             text("tenancy_end_reasons", "退租原因调查统计", _l("Why tenancies ended")),
         ), rules=(
             at_most("foreign_registered", "foreign_residents",
                     _l("More foreign residents registered than live here.")),
         ), line=160),
    Item(7, "办ic门禁卡量。", _l("IC access cards issued."), (
        count("access_cards", "办IC门禁卡量", _l("Access cards issued"), "张"),
    ), line=161),
    Item(8, "租赁接待客户人数、租赁成功率、不成功原因调查统计。",
         _l("Letting: prospective tenants received, success rate, survey of why lettings "
            "failed."), (
             count("letting_visitors", "租赁接待客户人数", _l("Prospective tenants received"), "人"),
             count("letting_successes", "租赁成功数", _l("Successful lettings"), "宗"),
             share("letting_success_rate", "租赁成功率", _l("Letting success rate"),
                   "letting_successes", "letting_visitors"),
             text("letting_failure_reasons", "不成功原因调查统计", _l("Why lettings failed")),
         ), rules=(
             at_most("letting_successes", "letting_visitors",
                     _l("More successful lettings than prospective tenants received.")),
         ), line=162),
    Item(9, "出租车位情况、本月数量、累计总量。",
         _l("Parking spaces let: situation, this month, in total."), (
             count("parking_let", "本月出租车位数量", _l("Parking spaces let this month"), "个"),
             count("parking_let_cumulative", "累计出租车位总量", _l("Parking spaces let in total"),
                   "个", stock=True),
             text("parking_situation", "出租车位情况", _l("Parking situation")),
         ), rules=(
             at_most("parking_let", "parking_let_cumulative",
                     _l("The parking spaces let in total cannot be fewer than this month's.")),
         ), line=163),
    Item(10, "代办煤气总金额。", _l("Gas paid on customers' behalf, in total."), (
        money("gas_agency", "代办煤气总金额", _l("Gas paid on customers' behalf")),
    ), line=164),
    Item(11, "物业费收缴金额、不缴费部分的原因调查统计。",
         _l("Property fees collected; survey of why the rest was not paid."), (
             money("property_fees_collected", "物业费收缴金额", _l("Property fees collected")),
             text("unpaid_fee_reasons", "不缴费部分的原因调查统计", _l("Why fees were not paid")),
         ), line=165),
    Item(12, "特约服务总收入、各类特约服务金额的比例。",
         _l("Special-service income in total and the share of each kind of special service."), (
             money("special_income", "特约服务总收入", _l("Special-service income")),
             breakdown("special_income_kinds", "各类特约服务金额",
                       _l("Special-service income by kind"), total="special_income"),
         ), line=166),
    evaluation(13, 168),
    problems(14, 170),
    Item(15, "本月客户反映的最主要问题是什么,原因是什么",
         _l("The main problem customers raised this month, and its cause."), (
             text("customer_main_problem", "客户反映的最主要问题", _l("Customers' main problem"),
                  required=True),
             text("customer_problem_cause", "原因", _l("Its cause")),
         ), line=172),
))

# -- 七、财务部 (lines 174–192) ---------------------------------------------------------------

FINANCE = Department("finance", "property_finance", "财务部", _l("Finance"), (
    Item(1, "本月收入总额及明细、占预算比例。",
         _l("Income this month: total, details, ratio to budget."), (
             money("income", "本月收入总额", _l("Income")),
             breakdown("income_details", "收入明细", _l("Income details"), total="income"),
             money("income_budget", "本月收入预算", _l("Income budget")),
             share("income_to_budget", "收入占预算比例", _l("Income to budget"),
                   "income", "income_budget"),
         ), line=176),
    Item(2, "本月支出总额及明细、占预算比例。",
         _l("Expenditure this month: total, details, ratio to budget."), (
             money("expenditure", "本月支出总额", _l("Expenditure")),
             breakdown("expenditure_details", "支出明细", _l("Expenditure details"),
                       total="expenditure"),
             money("expenditure_budget", "本月支出预算", _l("Expenditure budget")),
             share("expenditure_to_budget", "支出占预算比例", _l("Expenditure to budget"),
                   "expenditure", "expenditure_budget"),
         ), line=178),
    Item(3, "管理费收缴率,应收总量,应收未收原因分析。",
         _l("Management fee: collection rate, amount receivable, why receivables were not "
            "collected."), (
             money("fee_receivable", "管理费应收总量", _l("Management fee receivable")),
             money("fee_collected", "管理费实收金额", _l("Management fee collected")),
             share("fee_collection_rate", "管理费收缴率", _l("Management fee collection rate"),
                   "fee_collected", "fee_receivable"),
             text("fee_arrears_reasons", "应收未收原因分析", _l("Why receivables were not collected")),
         ), rules=(
             at_most("fee_collected", "fee_receivable",
                     _l("More management fee collected than was receivable.")),
         ), line=180),
    Item(4, "能源代收代缴费用总额。", _l("Energy charges collected and paid on behalf, in total."), (
        money("energy_agency", "能源代收代缴费用总额", _l("Energy charges collected on behalf")),
    ), line=182),
    Item(5, "热水费、采暖费收缴情况。", _l("Hot-water and heating charges collected."), (
        money("hot_water_receivable", "热水费应收", _l("Hot-water charges receivable")),
        money("hot_water_collected", "热水费实收", _l("Hot-water charges collected")),
        share("hot_water_rate", "热水费收缴率", _l("Hot-water collection rate"),
              "hot_water_collected", "hot_water_receivable"),
        money("heating_receivable", "采暖费应收", _l("Heating charges receivable")),
        money("heating_collected", "采暖费实收", _l("Heating charges collected")),
        share("heating_rate", "采暖费收缴率", _l("Heating collection rate"),
              "heating_collected", "heating_receivable"),
    ), rules=(
        at_most("hot_water_collected", "hot_water_receivable",
                _l("More hot-water charges collected than were receivable.")),
        at_most("heating_collected", "heating_receivable",
                _l("More heating charges collected than were receivable.")),
    ), line=184),
    Item(6, "特约服务收入情况。", _l("Special-service income."), (
        money("special_income", "特约服务收入", _l("Special-service income")),
    ), line=186),
    Item(7, "其它收入情况。", _l("Other income."), (
        money("other_income", "其它收入", _l("Other income")),
        text("other_income_note", "其它收入说明", _l("About other income")),
    ), line=188),
    evaluation(8, 190),
    problems(9, 192),
))

#: Departments the company adds beyond the seven (e.g. a greening team) report the items every
#: department shares.
OTHER = Department("other", "property_department", "其他部门", _l("Other department"), (
    evaluation(1, 0),
    problems(2, 0),
))

DEPARTMENTS: tuple[Department, ...] = (ADMIN, HR, ENGINEERING, SECURITY, CLEANING, SERVICE,
                                       FINANCE)
BY_KEY = {d.key: d for d in (*DEPARTMENTS, OTHER)}
BY_KIND = {d.kind: d for d in (*DEPARTMENTS, OTHER)}

#: Unit kinds of the company tree.
COMPANY_KIND = "property_company"
TEAM_KIND = "property_team"
DEPARTMENT_KINDS = tuple(BY_KIND)


def department_of_kind(kind: str) -> Department | None:
    return BY_KIND.get(kind)


# -- computing -------------------------------------------------------------------------------


def compute(dept: Department, values: dict[str, object]) -> dict[str, Decimal | None]:
    """The computed fields of *dept* from typed *values* (``None`` where a divisor is 0).

    Ratios are fractions (0.25 for 25 %). Works on one month's values or on sums over
    departments, so a company's rate is the ratio of its totals.
    """
    known: dict[str, object] = dict(values)
    out: dict[str, Decimal | None] = {}
    for f in dept.fields:
        if not f.computed:
            continue
        args = [known.get(a) for a in f.args]
        if f.op == "sum":
            result = sum((Decimal(a) for a in args if a is not None), Decimal(0))
        elif f.op == "ratio":
            num, den = args
            result = (Decimal(num) / Decimal(den)
                      if num is not None and den not in (None, 0, Decimal(0)) else None)
        else:  # pragma: no cover - the catalogue declares only these
            raise ValueError(f.op)
        known[f.key] = result
        out[f.key] = result
    return out
