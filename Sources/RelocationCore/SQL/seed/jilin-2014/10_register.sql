-- Reference data `jilin-2014`: the facts of 吉政办发〔2014〕29号 (Jilin Provincial Government
-- Office, implementation opinion on speeding up the relocation and renovation of urban
-- old-industrial districts, 2014), nothing invented. Facts the document does not give stay
-- empty (NULL); where a row needs a value the document implies but does not state, the comment
-- says so.
--
-- Run by a superuser (row-level security does not apply; the triggers and rules do), in one
-- transaction, without SET ROLE. Idempotent: every insert skips what exists (ON CONFLICT DO
-- NOTHING / WHERE NOT EXISTS) and the one update only fills an empty successor, so running it
-- again changes no row, no updated_at and adds no status change.

-- The province (the coordinator; the opinion is issued by its general office).
INSERT INTO reloc.organisation (code, name_zh, name_en, kind) VALUES
    ('JL', '吉林省人民政府', 'Jilin Provincial Government', 'province')
ON CONFLICT (code) DO NOTHING;

-- The provincial departments of the annex (附件 重点任务部门分工表), in order of first appearance.
-- Task 10 ends with 等 ("and others"): only the named ones are seeded.
INSERT INTO reloc.organisation (code, name_zh, kind) VALUES
    ('JL-ZJT', '省住房城乡建设厅', 'department'),   -- tasks 1, 6, 10
    ('JL-GTT', '省国土资源厅', 'department'),       -- tasks 1, 14, 15
    ('JL-FGW', '省发展改革委', 'department'),       -- tasks 2-6, 8-10, 12, 13
    ('JL-GXT', '省工业信息化厅', 'department'),     -- tasks 2, 3, 10
    ('JL-CZT', '省财政厅', 'department'),           -- tasks 3, 6, 10, 13
    ('JL-NYJ', '省能源局', 'department'),           -- tasks 3, 8
    ('JL-KJT', '省科技厅', 'department'),           -- task 5
    ('JL-GZW', '省国资委', 'department'),           -- task 6
    ('JL-WHT', '省文化厅', 'department'),           -- task 7
    ('JL-JRB', '省金融办', 'department'),           -- tasks 11-13
    ('JL-HBT', '省环保厅', 'department'),           -- task 10
    ('JL-LSJ', '省粮食局', 'department')            -- task 10
ON CONFLICT (code) DO NOTHING;

-- The 2018 institutional reform: only the renames DOMAIN.md marks ✓ (public sources) are recorded
-- as successions; the ones it marks ? (环保厅 → 生态环境厅, 文化厅 → 文化和旅游厅, 金融办 →
-- 地方金融监督管理局) are not. Date precision is the month: the sources give 2018-10, recorded as
-- 2018-10-01.
INSERT INTO reloc.organisation (code, name_zh, kind) VALUES
    ('JL-ZRT', '省自然资源厅', 'department'),
    ('JL-LSWZ', '省粮食和物资储备局', 'department')
ON CONFLICT (code) DO NOTHING;

UPDATE reloc.organisation o
SET successor_id = s.id, succeeded_on = DATE '2018-10-01'
FROM reloc.organisation s,
     (VALUES ('JL-GTT', 'JL-ZRT'), ('JL-LSJ', 'JL-LSWZ')) AS rename (old_code, new_code)
WHERE o.code = rename.old_code AND s.code = rename.new_code AND o.successor_id IS NULL;

-- The city (市/州) governments, with their GB/T 2260 division codes. The opinion is addressed to
-- 各市（州）人民政府 — all nine of Jilin — and names six of them (长春, 吉林, 四平, 辽源, 通化, 白城);
-- the other five of the 11 plans (§五(三)) lie in places it does not name, so every city is
-- seeded to be able to register its plan. (长白山管委会, also addressed, is not a city and is left out.)
INSERT INTO reloc.organisation (code, name_zh, name_en, kind, division_code) VALUES
    ('CC', '长春市', 'Changchun', 'city', '220100'),
    ('JLS', '吉林市', 'Jilin City', 'city', '220200'),
    ('SP', '四平市', 'Siping', 'city', '220300'),
    ('LY', '辽源市', 'Liaoyuan', 'city', '220400'),
    ('TH', '通化市', 'Tonghua', 'city', '220500'),
    ('BS', '白山市', 'Baishan', 'city', '220600'),
    ('SY', '松原市', 'Songyuan', 'city', '220700'),
    ('BC', '白城市', 'Baicheng', 'city', '220800'),
    ('YB', '延边朝鲜族自治州', 'Yanbian Korean Autonomous Prefecture', 'city', '222400')
ON CONFLICT (code) DO NOTHING;

-- The district governments the opinion names with a plan's district: 长春宽城区 (§四(八)),
-- 四平铁东 (§四(五)), 通化东昌 (§四(五)), 白城洮北 (§四(五)). 哈达湾 is an area of 吉林市 whose
-- district the opinion does not give; 辽源's district is not named either (龙山 appears only in
-- the park's name).
INSERT INTO reloc.organisation (code, name_zh, name_en, kind, parent_id, division_code)
SELECT d.code, d.name_zh, d.name_en, 'district', city.id, d.division_code
FROM (VALUES
    ('CC-KC', '宽城区', 'Kuancheng District', 'CC', '220103'),
    ('SP-TD', '铁东区', 'Tiedong District', 'SP', '220303'),
    ('TH-DC', '东昌区', 'Dongchang District', 'TH', '220502'),
    ('BC-TB', '洮北区', 'Taobei District', 'BC', '220802')
) AS d (code, name_zh, name_en, city_code, division_code)
JOIN reloc.organisation city ON city.code = d.city_code
ON CONFLICT (code) DO NOTHING;

-- The plans of the districts the opinion names, to be compiled by the end of 2014 (§四(一)) and
-- basically complete by 2022 (§三), all drafting. key_projects: the projects the opinion names for
-- that district, with their section.
INSERT INTO reloc.plan (code, name, city_id, district_id, division_code, compile_by, basic_completion_by, key_projects)
SELECT p.code, p.name, city.id, district.id, district.division_code, DATE '2014-12-31', DATE '2022-12-31', p.key_projects
FROM (VALUES
    ('CC-KC', '长春宽城区', 'CC', 'CC-KC',
     '§四(八) 中东广场、昌盛综合体项目'),
    ('JLS-HDW', '吉林哈达湾', 'JLS', NULL,
     E'§四(五) 工业遗产主题公园\n§四(六) 中钢吉炭、中钢吉铁污染土壤修复工程；高铁噪声污染治理项目\n§四(八) 万达城市综合体项目'),
    ('SP-TD', '四平铁东', 'SP', 'SP-TD',
     E'§四(五) 铁路遗产保护园区\n§四(六) 四平南北河综合治理工程'),
    ('LY', '辽源', 'LY', NULL,
     E'§四(六) 辽源国家矿山湿地公园项目\n§四(八) 辽河北岸香港弘裕城市大型综合体项目'),
    ('TH-DC', '通化东昌', 'TH', 'TH-DC',
     '§四(五) 通化葡萄酒酒窖'),
    ('BC-TB', '白城洮北', 'BC', 'BC-TB',
     '§四(五) 工业历史博物馆')
) AS p (code, name, city_code, district_code, key_projects)
JOIN reloc.organisation city ON city.code = p.city_code
LEFT JOIN reloc.organisation district ON district.code = p.district_code
ON CONFLICT (code) DO NOTHING;

-- Projects the opinion names that an earlier load of this data left out (四平南北河综合治理工程,
-- §四(六); 辽河北岸香港弘裕城市大型综合体项目, §四(八)): added to a plan that lacks them, once.
UPDATE reloc.plan p SET key_projects = p.key_projects || E'\n' || a.line
FROM (VALUES ('SP-TD', '§四(六) 四平南北河综合治理工程'),
             ('LY', '§四(八) 辽河北岸香港弘裕城市大型综合体项目')) AS a (code, line)
WHERE p.code = a.code AND strpos(p.key_projects, a.line) = 0;

-- The main receiving parks (§四(三)), named as the opinion names them. It gives no park's kind,
-- so kind is left unknown (NULL) rather than guessed from the name; the province records it with
-- `reloc park edit CODE --kind KIND`. The three facts of §四(三) are unknown (NULL) too, so no park
-- is yet proven fit for high-risk enterprises.
INSERT INTO reloc.park (code, name, city_id)
SELECT k.code, k.name, city.id
FROM (VALUES
    ('CC-ZBZZ', '长春装备制造产业开发区', 'CC'),
    ('JLS-JZ', '吉林金珠工业区', 'JLS'),
    ('LY-LSGY', '辽源龙山工业开发区', 'LY'),
    ('BC-TBJK', '白城洮北经济开发区', 'BC')
) AS k (code, name, city_code)
JOIN reloc.organisation city ON city.code = k.city_code
ON CONFLICT (code) DO NOTHING;

-- The thirteen enterprises of §四(二), named as the opinion writes them, city by city (长春, 吉林,
-- 四平, 辽源, 通化). Each is in its city's plan above (the opinion names one district per city;
-- that the enterprise lies in it is implied, not stated). Mode unknown (NULL, since 0026): the
-- opinion says of them 尽快完成搬迁改造 / 开展搬迁改造, and 搬迁改造 is its word for all three modes
-- (视情况分别实施就地改造、异地迁建和依法关停, §四(二)); it names no mode for any of them. Park,
-- industry, high-risk class, capacity, USCC unknown too. 东风机械's city is not stated: it stands in
-- the 四平 group, so it is recorded in 四平 (an inference).
-- The first five are to finish soon (加快推进…尽快完成), the other eight to start (重点推动…开展).
-- listed_in_plan is left unknown (NULL, since 0021): the opinion does not say which are listed
-- (§五(三)). Their priority (the two groups) is set by 11_enterprise_priority.sql.
-- A database of a schema before 0026 cannot say "unknown" (mode NOT NULL, tests load this data at
-- 0006): there the row says relocate as it used to, and 0026, applied later, makes it unknown.
INSERT INTO reloc.enterprise (plan_id, name, mode, source_document)
SELECT plan.id, e.name,
       (SELECT 'relocate' FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = 'reloc.enterprise'::regclass AND a.attname = 'mode' AND a.attnotnull),
       '吉政办发〔2014〕29号'
FROM (VALUES
    (1, '长春轨道客车装备', 'CC-KC'),
    (2, '哈达湾冀东水泥', 'JLS-HDW'),
    (3, '一汽四平专用车', 'SP-TD'),
    (4, '辽源百康药业', 'LY'),
    (5, '通化金马', 'TH-DC'),
    (6, '长春大成集团', 'CC-KC'),
    (7, '哈达湾中钢吉铁', 'JLS-HDW'),
    (8, '中钢吉炭', 'JLS-HDW'),
    (9, '四平昊华化工', 'SP-TD'),
    (10, '东风机械', 'SP-TD'),
    (11, '一汽辽源汽车电器公司', 'LY'),
    (12, '吉化公司辽源总厂', 'LY'),
    (13, '通化石油化工机械', 'TH-DC')
) AS e (seq, name, plan_code)
JOIN reloc.plan plan ON plan.code = e.plan_code
WHERE NOT EXISTS (
    SELECT FROM reloc.enterprise x WHERE x.name = e.name AND x.source_document = '吉政办发〔2014〕29号')
ORDER BY e.seq;
