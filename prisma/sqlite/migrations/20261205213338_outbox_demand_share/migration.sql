-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OutboxWorkerHeartbeat" (
    "workerId" TEXT NOT NULL PRIMARY KEY,
    "seenAt" DATETIME NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "demandSince" DATETIME,
    "sharesWith" TEXT NOT NULL DEFAULT '',
    "recentCalls" TEXT NOT NULL DEFAULT ''
);
INSERT INTO "new_OutboxWorkerHeartbeat" ("seenAt", "startedAt", "workerId") SELECT "seenAt", "startedAt", "workerId" FROM "OutboxWorkerHeartbeat";
DROP TABLE "OutboxWorkerHeartbeat";
ALTER TABLE "new_OutboxWorkerHeartbeat" RENAME TO "OutboxWorkerHeartbeat";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

