//! Interface texts in Chinese (default) and English.
mod analysis;
mod intake;
mod reports;
mod review;

/// The language of a page and its texts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Tr {
    pub en: bool,
}

impl Tr {
    pub fn new(lang: &str) -> Tr {
        Tr { en: lang == "en" }
    }

    pub fn lang(&self) -> &'static str {
        if self.en {
            "en"
        } else {
            "zh-CN"
        }
    }

    /// The text for `key`; an unknown key shows itself, so a missing text is visible, not silent.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        match TEXTS
            .iter()
            .chain(intake::TEXTS)
            .chain(analysis::TEXTS)
            .chain(review::TEXTS)
            .chain(reports::TEXTS)
            .find(|(k, _, _)| *k == key)
        {
            Some((_, zh, en)) => {
                if self.en {
                    en
                } else {
                    zh
                }
            }
            None => key,
        }
    }

    /// Chooses between a Chinese and an English value of a record (e.g. a name).
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en && !en.is_empty() {
            en
        } else {
            zh
        }
    }
}

/// (key, zh-CN, en)
const TEXTS: &[(&str, &str, &str)] = &[
    ("app.name", "白鹭 LIMS", "Egret LIMS"),
    (
        "app.tagline",
        "生态环境监测实验室信息管理系统",
        "Laboratory information management for environmental monitoring",
    ),
    ("nav.home", "首页", "Home"),
    ("nav.users", "用户", "Users"),
    ("nav.standards", "标准限值", "Standards"),
    ("nav.methods", "方法", "Methods"),
    ("nav.lab", "实验室信息", "Lab profile"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.language", "English", "中文"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("role.admin", "管理员", "Admin"),
    ("role.technician", "样品管理员", "Technician"),
    ("role.analyst", "分析员", "Analyst"),
    ("role.reviewer", "审核员", "Reviewer"),
    ("role.signatory", "授权签字人", "Signatory"),
    ("role.client", "委托方", "Client"),
    ("home.title", "我的工作", "What needs me now"),
    ("home.admin", "系统管理", "Administration"),
    ("home.admin.users", "用户数", "Users"),
    (
        "home.admin.todo",
        "待实验室设置的方法参数",
        "Method settings the lab still has to set",
    ),
    ("home.admin.audit", "审计链", "Audit chain"),
    ("home.admin.font", "报告与标签字体", "Report and label font"),
    (
        "home.technician",
        "样品接收与保存时限",
        "Samples arriving and holding times",
    ),
    (
        "home.analyst",
        "工作清单与批次",
        "Worklist and open batches",
    ),
    ("home.reviewer", "待审核批次", "Batches to verify"),
    (
        "home.signatory",
        "待批准批次与待签发报告",
        "Batches to approve and reports to issue",
    ),
    (
        "home.client",
        "我的委托单与报告",
        "My work orders and reports",
    ),
    ("home.empty", "暂无待办事项。", "Nothing waiting for you."),
    (
        "home.later",
        "该功能将在后续版本提供。",
        "This arrives with a later release.",
    ),
    ("common.save", "保存", "Save"),
    ("common.create", "新建", "Create"),
    ("common.cancel", "取消", "Cancel"),
    ("common.edit", "编辑", "Edit"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.none", "—", "—"),
    ("common.saved", "已保存。", "Saved."),
    (
        "common.errors",
        "请更正下列标出的字段。",
        "Please correct the fields marked below.",
    ),
    ("common.to_be_set", "待实验室设置", "to be set by the lab"),
    ("common.next", "下一页", "Next page"),
    ("common.status", "状态", "Status"),
    ("common.version", "版本", "Version"),
    ("users.title", "用户", "Users"),
    ("users.new", "新建用户", "New user"),
    ("users.edit", "编辑用户", "Edit user"),
    ("users.username", "用户名", "Username"),
    ("users.display_name", "姓名", "Name"),
    ("users.roles", "角色", "Roles"),
    ("users.client_id", "委托方 ID", "Client ID"),
    ("users.active", "启用", "Active"),
    ("users.disabled", "已停用", "Disabled"),
    ("users.enabled", "启用中", "Active"),
    ("users.locked", "已锁定至", "Locked until"),
    ("users.unlock", "解除锁定", "Unlock now"),
    ("users.password", "密码", "Password"),
    (
        "users.new_password",
        "重置密码（留空则不变）",
        "Reset password (leave empty to keep)",
    ),
    (
        "users.password_hint",
        "至少 10 个字符",
        "at least 10 characters",
    ),
    ("users.created", "创建时间", "Created"),
    ("standards.title", "标准与限值", "Standards and limits"),
    ("standards.code", "代号", "Code"),
    ("standards.name", "名称", "Title"),
    ("standards.matrix", "介质", "Matrix"),
    ("limits.analyte", "项目", "Analyte"),
    ("limits.category", "类别", "Category"),
    ("limits.kind", "类型", "Kind"),
    ("limits.value", "限值", "Limit"),
    ("limits.unit", "单位", "Unit"),
    ("limits.conditions", "条件", "Conditions"),
    ("limits.note", "备注", "Note"),
    ("methods.title", "方法", "Methods"),
    ("methods.code", "标准号", "Standard"),
    ("methods.name", "方法名称", "Title"),
    ("methods.technique", "技术", "Technique"),
    ("methods.status", "状态", "Status"),
    ("methods.qc", "质控插入规则", "QC insertion rule"),
    (
        "methods.batch_max_samples",
        "每批最多样品数",
        "Batch max samples",
    ),
    ("methods.blanks_per_batch", "每批空白数", "Blanks per batch"),
    ("methods.lcs_per_batch", "每批质控样数", "LCS/CRM per batch"),
    (
        "methods.duplicate_rate_pct",
        "平行样比例 %",
        "Duplicate rate %",
    ),
    ("methods.spike_rate_pct", "加标比例 %", "Spike rate %"),
    ("methods.analytes", "分析项目", "Analytes"),
    ("ma.unit", "单位", "Unit"),
    ("ma.mdl", "检出限", "MDL"),
    ("ma.decimals", "小数位数", "Decimals"),
    ("ma.significant_figures", "有效数字", "Significant figures"),
    (
        "ma.holding_time_hours",
        "保存时限（小时）",
        "Holding time (h)",
    ),
    (
        "ma.holding_time_unpreserved_hours",
        "未保存时限（小时）",
        "Unpreserved holding time (h)",
    ),
    ("ma.container", "容器", "Container"),
    ("ma.preservative", "保存剂", "Preservative"),
    ("ma.qc_rules", "质控要求 (JSON)", "QC rules (JSON)"),
    ("ma.mdl_source", "检出限来源", "MDL source"),
    ("lab.title", "实验室信息", "Lab profile"),
    ("lab.name_zh", "名称（中文）", "Name (Chinese)"),
    ("lab.name_en", "名称（英文）", "Name (English)"),
    ("lab.address", "地址", "Address"),
    ("lab.phone", "电话", "Phone"),
    ("lab.cma_number", "CMA 证书编号", "CMA certificate number"),
    (
        "lab.below_mdl_style",
        "低于检出限的报出方式",
        "Below detection limit shown as",
    ),
    (
        "lab.below_mdl.mdl_l",
        "检出限加 L（如 0.01L）",
        "Limit followed by L (e.g. 0.01L)",
    ),
    ("lab.below_mdl.nd", "ND（未检出）", "ND (not detected)"),
    ("lab.timezone", "时区", "Time zone"),
    // Shared by the admin and catalogue pages.
    ("nav.breadcrumb", "当前位置", "Breadcrumb"),
    ("common.empty", "没有记录。", "No records."),
    ("common.all", "全部", "All"),
    ("common.filter", "筛选", "Filter"),
    ("common.clear", "清除筛选", "Clear filter"),
    ("common.empty_clears", "留空即清除", "leave empty to clear"),
    ("form.whole_number", "须为整数", "must be a whole number"),
    ("form.invalid_id", "不是有效的 ID", "is not a valid id"),
    (
        "form.unknown_role",
        "包含未知角色",
        "contains an unknown role",
    ),
    (
        "users.client_id_hint",
        "仅委托方用户填写",
        "client users only",
    ),
    ("users.flash_created", "已创建用户", "Created user"),
    (
        "lab.timezone_hint",
        "IANA 时区，如 Asia/Shanghai",
        "IANA zone, e.g. Asia/Shanghai",
    ),
    (
        "limits.filter_hint",
        "项目代码，如 pb、benzene",
        "analyte code, e.g. pb, benzene",
    ),
    ("limits.suggest", "匹配的项目：", "Matching analytes:"),
    ("limits.kind.screening", "筛选值", "Screening value"),
    ("limits.kind.intervention", "管制值", "Intervention value"),
    ("limits.kind.class_limit", "分类限值", "Class limit"),
    (
        "limits.category.first_class",
        "第一类用地",
        "Category 1 land",
    ),
    (
        "limits.category.second_class",
        "第二类用地",
        "Category 2 land",
    ),
    ("limits.category.paddy", "水田", "Paddy"),
    ("limits.category.orchard", "果园", "Orchard"),
    ("limits.category.other", "其他", "Other"),
    ("limits.category.all", "所有类型", "All types"),
    ("limits.category.class_I", "Ⅰ类", "Class I"),
    ("limits.category.class_II", "Ⅱ类", "Class II"),
    ("limits.category.class_III", "Ⅲ类", "Class III"),
    ("limits.category.class_IV", "Ⅳ类", "Class IV"),
    ("limits.category.class_V", "Ⅴ类", "Class V"),
    ("methods.source", "来源", "Source"),
    (
        "methods.status.candidate",
        "候选方法 — 待实验室确认",
        "candidate — lab to confirm",
    ),
    (
        "methods.status.placeholder",
        "占位 — 待实验室设置方法标准",
        "placeholder — lab to set the method standard",
    ),
    (
        "ma.flash_saved",
        "已保存分析项目参数",
        "Saved the settings of",
    ),
    ("ma.edit_title", "分析项目参数", "Analysis settings"),
    ("ma.precision", "报告精度", "Reporting precision"),
    ("ma.n_decimals", "位小数", "decimals"),
    ("ma.n_sf", "位有效数字", "significant figures"),
    ("ma.holding", "保存时限", "Holding time"),
    ("ma.holding_unpreserved", "未加保存剂时限", "If unpreserved"),
    ("ma.hours", "小时", "h"),
    ("ma.text_result", "文本结果", "text result"),
    ("ma.qc_rules_short", "质控要求", "QC rules"),
    (
        "ma.qc_rules_hint",
        "JSON 数组，留空即清除",
        "a JSON list; empty clears",
    ),
    (
        "ma.json_error",
        "不是有效的质控规则 JSON 列表",
        "is not a valid JSON list of QC rules",
    ),
    ("methods.formula", "计算公式", "Formula"),
    ("methods.formula_optional", "可选，两栏都留空即清除", "optional; empty both boxes to clear"),
    (
        "methods.formula_hint",
        "可用 + - × ÷（或 * /）、括号、数字、下列输入量的名称，以及系统自动填入的 dilution（稀释倍数）和 dry_matter（干物质含量，以分数计）。单位换算请写入公式（如 / 1000）。",
        "Use + - × ÷ (or * /), parentheses, numbers, the names of the inputs below, and the two names Egret fills in: dilution (the dilution factor) and dry_matter (the dry-matter content as a fraction). Write unit conversions into the expression (e.g. / 1000).",
    ),
    ("methods.formula_expression", "表达式", "Expression"),
    ("methods.formula_inputs", "输入量", "Inputs"),
    (
        "methods.formula_inputs_hint",
        "每行一个：名称 单位，如 reading mg/L",
        "one a line: name unit, e.g. reading mg/L",
    ),
    ("methods.formula_line", "第 {n} 行", "line {n}"),
    ("ma.sum_of", "合计项：由以下各项相加", "Total of"),
    (
        "ma.sum_of_hint",
        "勾选本方法的至少两项；不勾选即为实测项",
        "tick at least two analyses of this method; none ticked: measured",
    ),
    ("ma.sum_of_bad", "所选项目无效", "is not a valid choice"),
    ("ma.is_total", "合计项", "a total"),
    ("ma.total_of", "合计：", "total of"),
    ("ma.scientific", "以科学计数法报告", "Report in scientific notation"),
    ("ma.scientific_hint", "如 1.7×10³，需设定有效数字", "e.g. 1.7×10³; needs significant figures"),
    ("ma.scientific_short", "科学计数", "sci."),
    ("qc.blank", "空白", "Blank"),
    ("qc.duplicate", "平行样相对偏差", "Duplicate RD"),
    ("qc.spike", "加标回收率", "Spike recovery"),
    ("qc.lcs", "质控样回收率", "LCS/CRM recovery"),
    ("qc.below_mdl", "< 检出限", "< MDL"),
    ("qc.not_judged", "不判定", "not judged"),
    ("qc.conc", "浓度", "conc."),
    ("error.title", "出错了", "Something went wrong"),
    (
        "error.forbidden",
        "您没有执行此操作的权限。",
        "You are not allowed to do this.",
    ),
    (
        "error.not_found",
        "找不到该页面或记录。",
        "This page or record does not exist.",
    ),
    ("error.back", "返回首页", "Back to the home page"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_defined_once_with_both_texts() {
        let all: Vec<_> = TEXTS
            .iter()
            .chain(intake::TEXTS)
            .chain(analysis::TEXTS)
            .chain(review::TEXTS)
            .chain(reports::TEXTS)
            .collect();
        for (i, (key, zh, en)) in all.iter().enumerate() {
            assert!(!zh.is_empty() && !en.is_empty(), "{key} lacks a text");
            assert!(
                !all[i + 1..].iter().any(|(k, _, _)| k == key),
                "{key} is defined twice"
            );
        }
    }
}
