"""Hand-written rewrites of dev-set reference sentences for the verifier benchmark.

`PARAPHRASES` are faithful: each says what its source sentence says, with one kind of change
named by its style tag: `reorder` (clauses moved, active/passive), `synonym` (other words,
same meaning), `translation` (an English summary of a Chinese source or the reverse), or
`numbers` (figures written as words, digits or Chinese numerals). A correct verifier keeps
them. `LOOSE` are deliberately loose restatements, still true, written the way a fluent model
summarises without copying the source's words; they measure which writing style the verifier
accepts (docs/llm.md). Keys are `{case id}s{sentence index}` of the reference answer; the
generator cites each rewrite to the same passages as its source sentence.
"""

from __future__ import annotations

PARAPHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    # ---- sources in the reported split
    "q001s0": (
        ("reorder", "For IaaS/PaaS computing power services, a B11 permit (internet data centre "
         "operations) is required under the Telecommunications Regulations."),
        ("translation", "在中国提供IaaS/PaaS算力服务需要取得B11许可（互联网数据中心业务）。"),
    ),
    "q004s0": (("reorder", "An additional B25 (internet content provider) permit is needed for "
                "PaaS/SaaS models."),),
    "q008s0": (("synonym", "The Beijing Internet Court ruled that the cloud platform was not "
                "liable because it had no subjective fault."),),
    "q009s0": (("reorder", "A network service provider that knows or should know that a user is "
                "infringing through its service and fails to take necessary measures is jointly "
                "liable with that user under article 1197 of the Civil Code."),),
    "q015s0": (("synonym", "According to the report, cloud access does not breach US regulations "
                "because it involves no direct export or transfer of the technology."),),
    "q017s0": (("synonym", "Zhejiang Lab said it had not completed the purchase."),),
    "q019s0": (("translation", "The tender was for 500 cloud servers, each with 8 Nvidia A100 "
                "chips."),
               ("numbers", "The tender was for five hundred cloud servers, each with eight "
                "Nvidia A100 chips.")),
    "q023s0": (("synonym", "iFlytek did not reply to a request for comment."),),
    "q024s0": (("reorder", "The FT notes that such cloud access is not explicitly banned by US "
                "export controls, although some companies still hide their identity."),),
    "q025s0": (("reorder", "They barred US companies from selling high-end semiconductors, "
                "including the A100, and advanced chipmaking equipment to Chinese groups."),),
    "q027s0": (("synonym", "According to an iFlytek engineer, renting long-term is effectively "
                "the same as owning the chips."),),
    "q028s0": (("reorder", "US rules did not cover cloud providers unless the technology were "
                "used to build weapons of mass destruction."),),
    "q031s0": (("translation", "SenseTime bought chips and equipment directly through its own "
                "subsidiaries that are not on the US entity list."),),
    "q036s0": (("translation", "Large models and large enterprises are subject to special rules, "
                "general entities to basic regulation, and small and medium entities get partial "
                "exemptions."),),
    "q041s0": (("reorder", "Unless the presumption-of-approval or case-by-case paragraphs apply, "
                "applications are reviewed with a presumption of denial."),),
    "q042s0": (("reorder", "Back-end steps that do not alter the IC technology level are "
                "excluded from production."),),
    "q044s0": (("numbers", "The rule was published at 89 FR 23886 on April 4, 2024."),),
    "q048s1": (("translation", "Section 744.23(a)(3)(i) covers exports of advanced computing "
                "items to entities headquartered in Macau or a D:5 country such as China, even "
                "when the entity is located in another destination."),),
    "q051s0": (("synonym", "Under § 744.6(b)(5), US persons may not support military-"
                "intelligence end uses or end users in those countries, including China, "
                "without a licence."),),
    "q052s0": (("reorder", "A presumption of denial applies when such applications are "
                "reviewed."),),
    "q053s1": (("reorder", "Support means performing any contract, service or employment that "
                "you know may assist or benefit the listed end uses or end users."),),
    "q056s0": (("synonym", "A licence does not authorise activity that is otherwise prohibited "
                "by law, criminal statutes included."),),
    "q059s0": (("reorder", "Until it has obtained a licence from BIS, the exporter may not "
                "proceed."),),
    "q065s0": (("synonym", "Licence requirements must be determined separately, and those "
                "needing a licence may be eligible for a licence exception."),),
    "q066s1": (("reorder", "Any foreign-produced wafer, finished or not, is included in a "
                "foreign-produced item."),),
    "q070s0": (
        ("reorder", "网络日志应当留存不少于六个月，这是《网络安全法》第二十一条的要求。"),
        ("numbers", "《网络安全法》第21条要求留存网络日志不少于6个月。"),
        ("translation", "Article 21 of the Cybersecurity Law requires network logs to be kept "
         "for no less than six months."),
    ),
    "q071s2": (("synonym", "确需向境外提供的，应当按照规定进行安全评估。"),),
    "q074s1": (("numbers", "拒不改正或者情节严重的，处5万元以上50万元以下罚款，并可责令暂停业务、"
                "吊销执照等。"),),
    "q076s1": (("numbers", "没有违法所得的，处100万元以下罚款。"),),
    "q080s0": (("reorder", "应定期报送风险评估报告并开展风险评估，报告内容包括重要数据的种类、数量"
                "以及面临的风险和应对措施等。"),),
    "q082s1": (("reorder", "《个人信息保护法》第四十一条和《数据安全法》第三十六条都要求先经中华"
                "人民共和国主管机关批准。"),),
    "q087s0": (("numbers", "由省级以上部门处5000万元以下或者上一年度营业额5%以下罚款，并可责令"
                "暂停业务、吊销许可等。"),),
    "q088s0": (("translation", "个人信息保护影响评估报告和处理情况记录应当至少保存三年。"),),
    "q089s0": (("synonym", "应当取得未成年人的父母或者其他监护人的同意，并制定专门的个人信息"
                "处理规则。"),),
    "q097s0": (("numbers", "自收到运营者报告之日起三个月内完成重新认定。"),),
    "q102s0": (
        ("numbers", "应在提供服务之日起10个工作日内通过算法备案系统履行备案手续。"),
        ("translation", "The provider must complete the filing procedures through the "
         "algorithm filing system within ten working days of starting to provide the service."),
    ),
    "q109s1": (("numbers", "《两用物项出口管制条例》细化为每次不超过二年，延长不超过两次。"),),
    "q111s1": (("numbers", "不足50万元的处50万元以上500万元以下罚款。"),),
    "q112s0": (("numbers", "自处罚决定生效之日起5年内。"),),
    "q116s0": (
        ("numbers", "单项许可不超过一年，通用许可不超过三年。"),
        ("reorder", "通用许可不超过3年，单项许可不超过1年。"),
    ),
    "q117s0": (("numbers", "自受理之日起四十五个工作日内作出决定；"),),
    "q118s0": (("numbers", "保存期限不少于五年，法律、行政法规另有规定的从其规定。"),),
    "q121s0": (("translation", "The Regulations take effect on 1 December 2024 and repeal the "
                "export control regulations on nuclear dual-use items, missiles and biological "
                "dual-use items."),),
    "q125s0": (("numbers", "处理一千万人以上个人信息的，还应遵守条例第30条、第32条对重要数据"
                "处理者的规定。"),),
    "q127s0": (("translation", "应当在24小时内向主管部门报告。"),),
    "q133s0": (("numbers", "处一百万元以上一千万元以下罚款，对直接责任人员处十万元以上一百万元"
                "以下罚款。"),),
    "q135s0": (("numbers", "国有股权或者股份不少于百分之五十一。"),),
    "q136s0": (("translation", "自受理申请之日起180日内。"),),
    "q138s0": (("numbers", "突然出现超过用户此前三个月平均电信费用五倍以上的费用。"),),
    "q140s0": (("numbers", "应提前九十日向原发证机关申请并做好善后工作。"),),
    "q145s0": (("numbers", "不能，依据第4条至第6条作出的决定为最终决定。"),),
    "q148s0": (("translation", "故意侵害知识产权，情节严重的，被侵权人有权请求相应的惩罚性赔偿"
                "（民法典第一千一百八十五条）。"),),
    "q149s0": (("synonym", "由用人单位承担侵权责任，用人单位可以向有故意或者重大过失的工作人员"
                "追偿。"),),
    # ---- sources in the tuning split
    "q005s0": (
        ("synonym", "The briefing says providers must secure licences under the "
         "Telecommunications Regulations."),
        ("reorder", "Holding licences under the Telecommunications Regulations is required of "
         "providers, the briefing says."),
    ),
    "q011s0": (("reorder", "Within the period prescribed by rules or agreed by the parties, it "
                "may not stop providing security maintenance."),),
    "q013s0": (
        ("numbers", "Reuters found at least eleven Chinese entities."),
        ("reorder", "At least 11 Chinese entities were found by Reuters."),
    ),
    "q049s0": (("synonym", "The factors include technology level, customers, compliance plans "
                "and contract sanctity."),),
    "q068s0": (("reorder", "Equipment essential to the production of an item, testing equipment "
                "included."),),
    "q069s0": (("synonym", "It covers entities that have a footnote 3 designation on the Entity "
                "List."),),
    "q022s0": (
        ("numbers", "The Shanghai cloud company charges $10 for an hour of access to 8 of "
         "its A100 chips."),
        ("reorder", "For one hour of access to eight of its A100 chips, the Shanghai cloud "
         "company charges $10."),
    ),
    "q033s0": (("translation", "A Commerce Department spokesperson said it was actively "
                "investigating possible violations but would not comment on specific "
                "allegations."),),
    "q043s0": (
        ("numbers", "Within 2 working days, signed by the Deputy Assistant Secretary for "
         "Export Administration or a designee."),
        ("reorder", "Signed by the Deputy Assistant Secretary for Export Administration or a "
         "designee, it is issued within two working days."),
    ),
    "q054s0": (("synonym", "No licence exceptions are available for the (b)(1)-(4) "
                "prohibitions."),),
    "q073s0": (("numbers", "处10万元以上100万元以下罚款，对直接负责的主管人员处1万元以上10万元"
                "以下罚款。"),),
    "q086s0": (("numbers", "两者均于2021年9月1日起施行。"),),
    "q103s0": (("synonym", "平台应当立刻停止提供相关算法推荐服务。"),),
    "q104s0": (("translation", "可以责令暂停信息更新，并处一万元以上十万元以下罚款。"),),
    "q114s0": (("translation", "可以申请行政复议，但复议决定为最终决定。"),),
    "q124s0": (("numbers", "执法人员不得少于两人，少于两人或者未出示执法证件的，被检查方有权"
                "拒绝。"),),
    "q126s0": (("numbers", "注册用户五千万以上或月活跃用户一千万以上，业务类型复杂、对国家安全等"
                "有重要影响的网络平台。"),),
    "q141s0": (("translation", "电信业务经营者及其工作人员不得擅自向他人提供用户使用电信网络所"
                "传输信息的内容。"),),
}  # fmt: skip

LOOSE: dict[str, tuple[str, ...]] = {
    "q001s0": ("Chinese cloud firms offering computing infrastructure need a data-centre "
               "licence known as B11.",),
    "q008s0": ("The court in Beijing found the cloud firm blameless since it was not at fault.",),
    "q015s0": ("Renting chips through the cloud isn't illegal under American rules, since "
               "nothing is actually shipped.",),
    "q017s0": ("The Zhejiang lab never went through with the deal.",),
    "q023s0": ("iFlytek stayed silent when asked about it.",),
    "q025s0": ("Washington stopped American firms from shipping top-end chips such as the A100 "
               "and chipmaking tools to China.",),
    "q027s0": ("One iFlytek engineer saw long rentals as equivalent to ownership.",),
    "q042s0": ("Back-end work that leaves the chip's technology unchanged doesn't count as "
               "production.",),
    "q052s0": ("Such requests will generally be turned down.",),
    "q056s0": ("Getting a licence doesn't make illegal conduct legal.",),
    "q059s0": ("The exporter has to wait for BIS approval before going ahead.",),
    "q070s0": ("网络运营者要把日志保存半年以上。",),
    "q076s1": ("没赚到违法所得的，最多罚一百万元。",),
    "q089s0": ("处理未成年人信息要先征得家长同意，还要有专门的规则。",),
    "q097s0": ("收到报告后三个月内要重新认定。",),
    "q112s0": ("处罚生效后五年之内都不行。",),
    "q116s0": ("单项许可最长一年，通用许可最长三年。",),
    "q133s0": ("罚款一百万到一千万元，直接责任人罚十万到一百万元。",),
    "q140s0": ("要提前九十天向原发证机关申请，并处理好善后事宜。",),
    "q145s0": ("不行，这类决定是终局的。",),
    "q147s0": ("网络服务提供者对扩大的损失要和用户一起负连带责任。",),
    "q149s0": ("工作人员造成的损害由单位负责，单位之后可以找有过错的员工追偿。",),
}  # fmt: skip
