-- quotewire schema, migration 0007: names match folded (case, accents, width;
-- fold_key in include/fold.h, the SQL function qw_fold that every
-- connection of quotewire has).  people.name_key was the name lower-cased
-- in ASCII only; it becomes qw_fold(name), and aliases get a folded key too,
-- so person=josé álvarez, JOSÉ ÁLVAREZ and Jose Alvarez find one person.
--
-- Folding can make two stored people one ("Jose Alvarez" and "José
-- Álvarez"): they are merged into the one stored first (the lowest id),
-- which keeps its name; the others' mentions, quotes, roles and aliases
-- move to it, the mention texts that differ from its name become its
-- aliases, a missing gender is taken from them, and its counts are
-- recounted.  The others' ids are gone (404).

ALTER TABLE person_aliases ADD COLUMN alias_key TEXT NOT NULL DEFAULT '';
UPDATE person_aliases SET alias_key = qw_fold(alias);
CREATE INDEX person_aliases_key ON person_aliases(alias_key, person_id);

CREATE TEMP TABLE fold_key (id INTEGER PRIMARY KEY, k TEXT NOT NULL);
INSERT INTO fold_key (id, k) SELECT id, qw_fold(name) FROM people;
CREATE INDEX temp.fold_key_k ON fold_key (k, id);

-- old_id -> new_id for every person merged into another
CREATE TEMP TABLE fold_merge (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL);
INSERT INTO fold_merge (old_id, new_id)
    SELECT f.id, g.keep FROM fold_key f
    JOIN (SELECT k, min(id) AS keep FROM fold_key GROUP BY k HAVING count(*) > 1) g ON g.k = f.k
    WHERE f.id != g.keep;

UPDATE mentions SET person_id = (SELECT new_id FROM fold_merge WHERE old_id = person_id)
    WHERE person_id IN (SELECT old_id FROM fold_merge);
UPDATE quotes SET speaker_person_id =
        (SELECT new_id FROM fold_merge WHERE old_id = speaker_person_id)
    WHERE speaker_person_id IN (SELECT old_id FROM fold_merge);
INSERT OR IGNORE INTO person_roles (person_id, role)
    SELECT m.new_id, r.role FROM person_roles r JOIN fold_merge m ON m.old_id = r.person_id;
INSERT OR IGNORE INTO person_aliases (person_id, alias, alias_key)
    SELECT m.new_id, a.alias, a.alias_key FROM person_aliases a
    JOIN fold_merge m ON m.old_id = a.person_id
    JOIN people p ON p.id = m.new_id WHERE a.alias != p.name;
INSERT OR IGNORE INTO person_aliases (person_id, alias, alias_key)
    SELECT DISTINCT t.person_id, t.text, qw_fold(t.text) FROM mentions t
    JOIN people p ON p.id = t.person_id
    WHERE t.person_id IN (SELECT new_id FROM fold_merge) AND t.text != p.name;
UPDATE people SET gender = (SELECT o.gender FROM fold_merge m JOIN people o ON o.id = m.old_id
                            WHERE m.new_id = people.id AND o.gender IS NOT NULL
                            ORDER BY o.id LIMIT 1)
    WHERE gender IS NULL AND id IN (SELECT new_id FROM fold_merge);
DELETE FROM person_roles WHERE person_id IN (SELECT old_id FROM fold_merge);
DELETE FROM person_aliases WHERE person_id IN (SELECT old_id FROM fold_merge);
DELETE FROM people WHERE id IN (SELECT old_id FROM fold_merge);
UPDATE people SET
    article_count = (SELECT count(*) FROM (SELECT article_id FROM mentions WHERE person_id = people.id
                     UNION SELECT article_id FROM quotes WHERE speaker_person_id = people.id)),
    quote_count = (SELECT count(*) FROM quotes WHERE speaker_person_id = people.id)
    WHERE id IN (SELECT new_id FROM fold_merge);

-- New keys, in two steps so that no intermediate row collides with the
-- UNIQUE key of a row not yet updated.
UPDATE people SET name_key = char(1) || id
    WHERE name_key != (SELECT k FROM fold_key WHERE fold_key.id = people.id);
UPDATE people SET name_key = (SELECT k FROM fold_key WHERE fold_key.id = people.id)
    WHERE name_key = char(1) || id;

DROP TABLE temp.fold_merge;
DROP TABLE temp.fold_key;
