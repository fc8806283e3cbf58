-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Theme" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "submissionId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "month" INTEGER NOT NULL,
    "forms" TEXT NOT NULL,
    "intro" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'active',
    "reviewStatus" TEXT NOT NULL DEFAULT 'pending',
    "reviewReason" TEXT,
    "reviewFields" TEXT,
    "scheduledMonth" INTEGER,
    "moveState" TEXT NOT NULL DEFAULT 'none',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "domains" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "Theme_submissionId_fkey" FOREIGN KEY ("submissionId") REFERENCES "Submission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Theme" ("createdAt", "forms", "id", "intro", "month", "moveState", "reviewFields", "reviewReason", "reviewStatus", "scheduledMonth", "seq", "state", "submissionId", "title", "updatedAt", "version") SELECT "createdAt", "forms", "id", "intro", "month", "moveState", "reviewFields", "reviewReason", "reviewStatus", "scheduledMonth", "seq", "state", "submissionId", "title", "updatedAt", "version" FROM "Theme";
DROP TABLE "Theme";
ALTER TABLE "new_Theme" RENAME TO "Theme";
CREATE INDEX "Theme_submissionId_idx" ON "Theme"("submissionId");
CREATE TABLE "new_ThemeVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "themeId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "month" INTEGER NOT NULL,
    "forms" TEXT NOT NULL,
    "intro" TEXT NOT NULL,
    "actorOpenId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "domains" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "ThemeVersion_themeId_fkey" FOREIGN KEY ("themeId") REFERENCES "Theme" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ThemeVersion" ("actorOpenId", "createdAt", "forms", "id", "intro", "month", "themeId", "title", "version") SELECT "actorOpenId", "createdAt", "forms", "id", "intro", "month", "themeId", "title", "version" FROM "ThemeVersion";
DROP TABLE "ThemeVersion";
ALTER TABLE "new_ThemeVersion" RENAME TO "ThemeVersion";
CREATE UNIQUE INDEX "ThemeVersion_themeId_version_key" ON "ThemeVersion"("themeId", "version");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

