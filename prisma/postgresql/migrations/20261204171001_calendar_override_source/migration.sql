-- AlterTable
ALTER TABLE "CalendarOverride" ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'manual';

