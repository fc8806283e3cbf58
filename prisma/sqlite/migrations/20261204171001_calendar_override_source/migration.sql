-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CalendarOverride" (
    "date" TEXT NOT NULL PRIMARY KEY,
    "isWorkday" BOOLEAN NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL DEFAULT 'manual',
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_CalendarOverride" ("createdAt", "createdBy", "date", "isWorkday", "note") SELECT "createdAt", "createdBy", "date", "isWorkday", "note" FROM "CalendarOverride";
DROP TABLE "CalendarOverride";
ALTER TABLE "new_CalendarOverride" RENAME TO "CalendarOverride";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

