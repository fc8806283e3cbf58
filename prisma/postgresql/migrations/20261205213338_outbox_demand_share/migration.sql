-- AlterTable
ALTER TABLE "OutboxWorkerHeartbeat" ADD COLUMN     "demandSince" TIMESTAMP(3),
ADD COLUMN     "recentCalls" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "sharesWith" TEXT NOT NULL DEFAULT '';

