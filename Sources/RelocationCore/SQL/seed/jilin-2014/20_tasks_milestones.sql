-- Reference data `jilin-2014`, part 2: the annex's tasks (附件 重点任务部门分工表) and the
-- programme's milestones for each plan. Same conventions as 10_register.sql: superuser, one
-- transaction, idempotent (every insert skips what exists), nothing invented.

-- The 15 tasks, titles verbatim from the annex (full-width digits as printed). The annex gives no
-- due dates and no plan: the tasks are province-wide.
INSERT INTO reloc.task (number, title, note, source_document)
SELECT t.number, t.title, t.note, '吉政办发〔2014〕29号 附件'
FROM (VALUES
    (1, '城区老工业区的功能、土地利用类型等因实施搬迁改造而发生重大变化的，所在城市政府要依法组织修订相关规划，有关部门要及时按程序办理', NULL),
    (2, '对符合产业升级方向，尤其是同步实施兼并重组、压减过剩产能的项目，有关部门要依法依规加快办理相关手续', NULL),
    (3, '符合条件的搬迁改造企业淘汰落后产能的，根据国家和省有关规定予以支持', NULL),
    (4, '支持有条件的园区开展循环化改造', NULL),
    (5, '支持有条件的园区建设中小企业孵化器及附属设施配套工程', NULL),
    (6, '把城区老工业区搬迁改造与棚户区改造紧密结合起来，大力推进城区老工业区棚户区改造', NULL),
    (7, '支持将具有重要价值的工业遗产及时公布为相应级别的文物保护单位', NULL),
    (8, '推广使用水源热泵技术、太阳能等新能源和清洁能源', NULL),
    (9, '努力争取中央预算内城区老工业区搬迁改造专项资金，支持我省城区老工业区搬迁改造', NULL),
    (10, '有关部门安排产业发展、结构调整、市政基础设施和公共服务设施建设、污染治理等专项资金时，要加强协调，合力支持城区老工业区搬迁改造',
     '附件所列负责部门以“等”结尾（省发展改革委、省财政厅、省工业信息化厅、省环保厅、省住房城乡建设厅、省粮食局等）：另有未列名的部门，此处只记列名的六个'),
    (11, '支持将城区老工业区符合要求的搬迁企业经营服务收入、应收账款以及搬迁改造项目贷款等作为基础资产，开展资产证券化工作', NULL),
    (12, '支持符合条件的企业通过发行企业债、中期票据和短期融资券等募集资金，用于城区老工业区搬迁改造', NULL),
    (13, '支持设立城区老工业区搬迁改造融资平台', NULL),
    (14, '国土资源管理部门下达年度新增建设用地计划指标时，要根据全省１１个《城区老工业区搬迁改造实施方案》确定的规模和时序，适当向搬迁企业承接地倾斜', NULL),
    (15, '中央企业所属企业搬迁，一次性用地数量较大、地方政府确实难以平衡解决的，可报请有关部门在安排下一年度用地计划指标时研究解决', NULL)
) AS t (number, title, note)
ON CONFLICT (number) DO NOTHING;

-- The departments of each task exactly as printed, in the printed order; the first leads. The
-- renamed ones (省国土资源厅, 省粮食局) are recorded as printed: their successors hold the work
-- from the succession date (reloc.current_org).
INSERT INTO reloc.task_assignment (task_id, org_id, lead, position)
SELECT task.id, org.id, a.position = 1, a.position
FROM (VALUES
    (1, 1, 'JL-ZJT'), (1, 2, 'JL-GTT'),
    (2, 1, 'JL-FGW'), (2, 2, 'JL-GXT'),
    (3, 1, 'JL-GXT'), (3, 2, 'JL-CZT'), (3, 3, 'JL-FGW'), (3, 4, 'JL-NYJ'),
    (4, 1, 'JL-FGW'),
    (5, 1, 'JL-FGW'), (5, 2, 'JL-KJT'),
    (6, 1, 'JL-ZJT'), (6, 2, 'JL-FGW'), (6, 3, 'JL-CZT'), (6, 4, 'JL-GZW'),
    (7, 1, 'JL-WHT'),
    (8, 1, 'JL-FGW'), (8, 2, 'JL-NYJ'),
    (9, 1, 'JL-FGW'),
    (10, 1, 'JL-FGW'), (10, 2, 'JL-CZT'), (10, 3, 'JL-GXT'), (10, 4, 'JL-HBT'), (10, 5, 'JL-ZJT'), (10, 6, 'JL-LSJ'),
    (11, 1, 'JL-JRB'),
    (12, 1, 'JL-FGW'), (12, 2, 'JL-JRB'),
    (13, 1, 'JL-FGW'), (13, 2, 'JL-CZT'), (13, 3, 'JL-JRB'),
    (14, 1, 'JL-GTT'),
    (15, 1, 'JL-GTT')
) AS a (task_number, position, org_code)
JOIN reloc.task task ON task.number = a.task_number
JOIN reloc.organisation org ON org.code = a.org_code
ON CONFLICT (task_id, org_id) DO NOTHING;

-- For each seeded plan: compiled by the end of 2014 (§四(一) 要在２０１４年年底前编制完成) and the
-- relocation basically complete by 2022 (§三 力争到２０２２年基本完成). The owner defaults to the
-- plan's district government, else its city.
INSERT INTO reloc.milestone (kind, title, due_on, plan_id, note)
SELECT m.kind, m.title || '（' || plan.name || '）', m.due_on, plan.id, m.note
FROM (VALUES
    ('plan-compiled', '搬迁改造规划和实施方案编制完成', DATE '2014-12-31', '§四(一)'),
    ('basic-completion', '基本完成城区老工业区搬迁改造任务', DATE '2022-12-31', '§三')
) AS m (kind, title, due_on, note)
CROSS JOIN reloc.plan plan
WHERE plan.code IN ('CC-KC', 'JLS-HDW', 'SP-TD', 'LY', 'TH-DC', 'BC-TB')
  AND NOT EXISTS (SELECT FROM reloc.milestone x WHERE x.plan_id = plan.id AND x.kind = m.kind)
ORDER BY plan.code, m.due_on;
