import type { PrismaClient } from '../../generated/prisma/client';
import type { ApiRole } from './auth.types';

export class AuthRepository {
  constructor(private readonly prisma: PrismaClient) {}

  create(key: { id: string; secretHash: Buffer; role: ApiRole; projects: string[]; description: string | null }) {
    return this.prisma.apiKey.create({ data: { ...key, secretHash: new Uint8Array(key.secretHash) } });
  }

  findActive(id: string) {
    return this.prisma.apiKey.findFirst({ where: { id, revokedAt: null } });
  }

  async anyActive(): Promise<boolean> {
    return (await this.prisma.apiKey.findFirst({ where: { revokedAt: null }, select: { id: true } })) !== null;
  }

  list() {
    return this.prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' }, omit: { secretHash: true } });
  }

  async revoke(id: string): Promise<boolean> {
    const { count } = await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return count === 1;
  }
}
