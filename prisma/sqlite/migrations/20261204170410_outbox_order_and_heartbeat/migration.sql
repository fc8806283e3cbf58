-- CreateTable
CREATE TABLE "OutboxWorkerHeartbeat" (
    "workerId" TEXT NOT NULL PRIMARY KEY,
    "seenAt" DATETIME NOT NULL,
    "startedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OutboxMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "idempotencyKey" TEXT NOT NULL,
    "op" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "lastErrorCode" INTEGER,
    "resultMessageId" TEXT,
    "parentId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    "seq" BIGINT NOT NULL DEFAULT 0,
    "claimedBy" TEXT,
    "attemptStartedAt" DATETIME
);
INSERT INTO "new_OutboxMessage" ("attempts", "createdAt", "id", "idempotencyKey", "lastError", "lastErrorCode", "leaseUntil", "nextAttemptAt", "op", "parentId", "payload", "resultMessageId", "sentAt", "status", "target") SELECT "attempts", "createdAt", "id", "idempotencyKey", "lastError", "lastErrorCode", "leaseUntil", "nextAttemptAt", "op", "parentId", "payload", "resultMessageId", "sentAt", "status", "target" FROM "OutboxMessage";
DROP TABLE "OutboxMessage";
ALTER TABLE "new_OutboxMessage" RENAME TO "OutboxMessage";
CREATE UNIQUE INDEX "OutboxMessage_idempotencyKey_key" ON "OutboxMessage"("idempotencyKey");
CREATE INDEX "OutboxMessage_status_nextAttemptAt_idx" ON "OutboxMessage"("status", "nextAttemptAt");
CREATE INDEX "OutboxMessage_parentId_idx" ON "OutboxMessage"("parentId");
CREATE INDEX "OutboxMessage_target_seq_idx" ON "OutboxMessage"("target", "seq");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

