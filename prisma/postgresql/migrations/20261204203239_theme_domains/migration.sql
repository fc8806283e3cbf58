-- AlterTable
ALTER TABLE "Theme" ADD COLUMN     "domains" TEXT NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "ThemeVersion" ADD COLUMN     "domains" TEXT NOT NULL DEFAULT '[]';

