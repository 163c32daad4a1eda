-- 0016 one source for every word (issue 13, "One source for every word", "Tables a person reads"):
-- the codes a CHECK constraint lists (a mode, a status, a kind, how land is supplied, …) and the
-- names a person reads for them, in Chinese (the documents' own words where they have one:
-- 异地迁建 §四(二), 协议出让 §五(四), 经济技术开发区 §四(三), 现代服务业 §四(八) …) and in English.
--
-- * reloc.term (domain, code, zh, en): one row per code of each enumerated word. The CLI's
--   Swift enums (RelocationCore/Words) carry the same codes and labels, to parse options and to
--   label human tables without a query; TermDriftTests compares the enums, this table and the
--   CHECK constraints, so a value added on one side only fails the suite.
-- * Written by migrations only, read by every role (like reloc.rule): reference words, not
--   programme data, so not audited.
-- * JSON and CSV output keep the codes; only tables a person reads show the labels.

SET LOCAL ROLE reloc_owner;

CREATE TABLE reloc.term (
    domain text NOT NULL CONSTRAINT term_domain_format
        CHECK (reloc.is_clean_text(domain, 40) AND domain ~ '^[a-z_]+\.[a-z_]+$'),
    code text NOT NULL CONSTRAINT term_code_clean CHECK (reloc.is_clean_text(code, 40)),
    zh text NOT NULL CONSTRAINT term_zh_clean CHECK (reloc.is_clean_text(zh, 40) AND btrim(zh) <> ''),
    en text NOT NULL CONSTRAINT term_en_clean CHECK (reloc.is_clean_text(en, 80) AND btrim(en) <> ''),
    CONSTRAINT term_pkey PRIMARY KEY (domain, code),
    CONSTRAINT term_zh_key UNIQUE (domain, zh),
    CONSTRAINT term_en_key UNIQUE (domain, en)
);
COMMENT ON TABLE reloc.term IS
    'The words of each enumerated value: its code (as the CHECK constraints list it) and its Chinese and English names for tables a person reads.';

INSERT INTO reloc.term (domain, code, zh, en) VALUES
('enterprise.mode', 'in-situ', '就地改造', 'renovate in place'),
('enterprise.mode', 'relocate', '异地迁建', 'relocate'),
('enterprise.mode', 'close', '依法关停', 'close by law'),
('enterprise.status', 'registered', '已登记', 'registered'),
('enterprise.status', 'heritage-surveyed', '已核查工业遗产', 'heritage surveyed'),
('enterprise.status', 'relocating', '搬迁中', 'relocating'),
('enterprise.status', 'relocated', '已搬迁', 'relocated'),
('enterprise.status', 'closing', '关停中', 'closing'),
('enterprise.status', 'closed', '已关停', 'closed'),
('enterprise.status', 'renovating', '改造中', 'renovating'),
('enterprise.status', 'renovated', '已改造', 'renovated'),
('enterprise.high_risk', 'metallurgy', '冶金', 'metallurgy'),
('enterprise.high_risk', 'chemicals', '化工', 'chemicals'),
('enterprise.high_risk', 'paper', '造纸', 'paper'),
('enterprise.high_risk', 'hazardous', '危险品', 'hazardous goods'),
('plan.status', 'drafting', '编制中', 'drafting'),
('plan.status', 'consultation', '征求意见', 'consultation'),
('plan.status', 'risk-assessed', '已稳评', 'risk assessed'),
('plan.status', 'approved', '已批准', 'approved'),
('plan.status', 'implementing', '实施中', 'implementing'),
('plan.status', 'basically-complete', '基本完成', 'basically complete'),
('plan.status', 'complete', '已完成', 'complete'),
('organisation.kind', 'province', '省政府', 'province'),
('organisation.kind', 'department', '省直部门', 'department'),
('organisation.kind', 'city', '市（州）政府', 'city'),
('organisation.kind', 'district', '市辖区政府', 'district'),
('park.kind', 'econ-tech-zone', '经济技术开发区', 'economic and technological development zone'),
('park.kind', 'high-tech-zone', '高新技术产业开发区', 'high-tech industrial development zone'),
('park.kind', 'industrial-cluster', '工业集中区', 'industrial cluster'),
('park.kind', 'themed-park', '特色园区', 'themed park'),
('progress.status', 'on-track', '正常推进', 'on track'),
('progress.status', 'at-risk', '存在风险', 'at risk'),
('progress.status', 'blocked', '受阻', 'blocked'),
('progress.status', 'done', '已完成', 'done'),
('task.status', 'on-track', '正常推进', 'on track'),
('task.status', 'at-risk', '存在风险', 'at risk'),
('task.status', 'blocked', '受阻', 'blocked'),
('task.status', 'done', '已完成', 'done'),
('task.status', 'not-reported', '未报告', 'not reported'),
('milestone.kind', 'plan-compiled', '方案编制完成', 'plan compiled'),
('milestone.kind', 'risk-assessed', '社会稳定风险评估', 'risk assessed'),
('milestone.kind', 'approved', '方案批准', 'plan approved'),
('milestone.kind', 'relocation-started', '开始搬迁', 'relocation started'),
('milestone.kind', 'relocation-completed', '完成搬迁', 'relocation completed'),
('milestone.kind', 'heritage-surveyed', '工业遗产核查认定', 'heritage surveyed'),
('milestone.kind', 'site-assessed', '场地环境调查评估', 'site assessed'),
('milestone.kind', 'site-released', '腾退场地再利用', 'site released'),
('milestone.kind', 'basic-completion', '基本完成', 'basic completion'),
('milestone.kind', 'custom', '其他', 'other'),
('land.supply', 'agreement', '协议出让', 'by agreement'),
('land.supply', 'allocation', '划拨', 'allocation'),
('land.supply', 'tender', '招拍挂', 'tender, auction or listing'),
('site.reuse', 'modern-services', '现代服务业', 'modern services'),
('site.reuse', 'public-facilities', '公共服务设施', 'public facilities'),
('site.reuse', 'housing', '住房', 'housing'),
('site.reuse', 'parks-green-space', '公园绿地', 'parks and green space'),
('site.reuse', 'industrial-heritage', '工业遗产', 'industrial heritage'),
('site.state', 'not-surveyed', '未调查', 'not surveyed'),
('site.state', 'surveyed', '已调查', 'surveyed'),
('site.state', 'risk-assessed', '已风险评估', 'risk assessed'),
('site.state', 'clean', '未污染', 'clean'),
('site.state', 'contaminated', '已污染', 'contaminated'),
('site.state', 'remediation-planned', '已编制治理方案', 'remediation planned'),
('site.state', 'remediated', '已治理修复', 'remediated'),
('contact.channel', 'email', '电子邮件', 'e-mail'),
('contact.channel', 'webhook', 'Webhook', 'webhook'),
('message.state', 'pending', '待发送', 'pending'),
('message.state', 'sending', '发送中', 'sending'),
('message.state', 'retrying', '待重试', 'retrying'),
('message.state', 'sent', '已发送', 'sent'),
('message.state', 'dead', '发送失败', 'dead'),
('message.state', 'no-contact', '无联系方式', 'no contact'),
('message.state', 'superseded', '已被取代', 'superseded');

ALTER TABLE reloc.term ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
-- Its policies (every role reads, only the owner writes) are in sql/definitions/12_terms.sql.
GRANT SELECT ON reloc.term TO reloc_app, reloc_reminder;

RESET ROLE;
