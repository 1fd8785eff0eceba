-- Additive change: old code that does not know the column keeps working.
ALTER TABLE notes ADD COLUMN author TEXT;
CREATE INDEX notes_by_author ON notes (author);
