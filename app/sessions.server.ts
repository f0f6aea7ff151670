// Shopify session storage in our database, with access and refresh tokens encrypted at rest.
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type { Db } from "./db.server";
import type { SecretBox } from "./crypto/secret-box.server";

type SessionRow = Awaited<ReturnType<Db["session"]["findUniqueOrThrow"]>>;

export class EncryptedSessionStorage implements SessionStorage {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    const row = this.toRow(session);
    await this.db.session.upsert({ where: { id: session.id }, create: row, update: row });
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.db.session.findUnique({ where: { id } });
    return row ? this.toSession(row) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.db.session.deleteMany({ where: { id } });
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    await this.db.session.deleteMany({ where: { id: { in: ids } } });
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await this.db.session.findMany({ where: { shop }, take: 25, orderBy: { expires: "desc" } });
    return rows.map((row) => this.toSession(row));
  }

  private toRow(session: Session): SessionRow {
    const user = session.onlineAccessInfo?.associated_user;
    return {
      id: session.id,
      shop: session.shop,
      state: session.state,
      isOnline: session.isOnline,
      scope: session.scope ?? null,
      expires: session.expires ?? null,
      accessToken: session.accessToken ? this.box.encrypt(session.accessToken) : "",
      refreshToken: session.refreshToken ? this.box.encrypt(session.refreshToken) : null,
      refreshTokenExpires: session.refreshTokenExpires ?? null,
      userId: user?.id != null ? BigInt(user.id) : null,
      firstName: user?.first_name ?? null,
      lastName: user?.last_name ?? null,
      email: user?.email ?? null,
      accountOwner: user?.account_owner ?? false,
      locale: user?.locale ?? null,
      collaborator: user?.collaborator ?? false,
      emailVerified: user?.email_verified ?? false,
    };
  }

  private toSession(row: SessionRow): Session {
    const params: [string, string | number | boolean][] = [
      ["id", row.id],
      ["shop", row.shop],
      ["state", row.state],
      ["isOnline", row.isOnline],
    ];
    if (row.scope) params.push(["scope", row.scope]);
    if (row.expires) params.push(["expires", row.expires.getTime()]);
    if (row.accessToken) params.push(["accessToken", this.box.decrypt(row.accessToken)]);
    if (row.refreshToken) params.push(["refreshToken", this.box.decrypt(row.refreshToken)]);
    if (row.refreshTokenExpires) params.push(["refreshTokenExpires", row.refreshTokenExpires.getTime()]);
    if (row.userId != null) {
      params.push(["userId", String(row.userId)]);
      if (row.firstName) params.push(["firstName", row.firstName]);
      if (row.lastName) params.push(["lastName", row.lastName]);
      if (row.email) params.push(["email", row.email]);
      if (row.locale) params.push(["locale", row.locale]);
      params.push(["accountOwner", row.accountOwner]);
      params.push(["collaborator", Boolean(row.collaborator)]);
      params.push(["emailVerified", Boolean(row.emailVerified)]);
    }
    return Session.fromPropertyArray(params, true);
  }
}
