#!/bin/sh
echo "meterql applies its migrations itself (src/db/migrate.ts); this command needs Prisma's schema engine." >&2
exit 1
