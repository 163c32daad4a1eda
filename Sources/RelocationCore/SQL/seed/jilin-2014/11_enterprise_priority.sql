-- §四(二)'s two groups of the enterprises it names (reloc.enterprise.priority, migration 0021):
-- 加快推进…等一批重点企业尽快完成搬迁改造 (finish-soon) and 重点推动…等一批重点企业开展搬迁改造
-- (push-start). Dynamic SQL: reference data may be loaded into a database of an earlier schema
-- (tests load it at 0006), where 0021 itself sets the groups when it is applied.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = 'reloc.enterprise'::regclass AND a.attname = 'priority' AND NOT a.attisdropped) THEN
        EXECUTE $update$
            UPDATE reloc.enterprise e SET priority = g.priority
            FROM (VALUES ('长春轨道客车装备', 'finish-soon'), ('哈达湾冀东水泥', 'finish-soon'),
                         ('一汽四平专用车', 'finish-soon'), ('辽源百康药业', 'finish-soon'), ('通化金马', 'finish-soon'),
                         ('长春大成集团', 'push-start'), ('哈达湾中钢吉铁', 'push-start'), ('中钢吉炭', 'push-start'),
                         ('四平昊华化工', 'push-start'), ('东风机械', 'push-start'),
                         ('一汽辽源汽车电器公司', 'push-start'), ('吉化公司辽源总厂', 'push-start'),
                         ('通化石油化工机械', 'push-start')) AS g (name, priority)
            WHERE e.name = g.name AND e.source_document = '吉政办发〔2014〕29号' AND e.priority IS NULL
        $update$;
    END IF;
END $$;
