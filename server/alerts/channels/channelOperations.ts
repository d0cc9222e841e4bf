/** Making, changing and deleting alert channels: plain functions over the database. */
import type { Database } from '../../db/database.ts';
import type { AlertChannel } from '../../db/generated/prisma/client.ts';
import type { AlertChannelKind } from '../../db/generated/prisma/enums.ts';
import { NotFoundError } from '../../domainErrors.ts';
import { checkChannelSettings } from './channelSettings.ts';
import { ChannelNameTakenError } from './errors.ts';
import { generateWebhookSecret } from './webhookSecret.ts';

export type CreateChannelInput = { name: string; kind: AlertChannelKind; url?: string; secret?: string; recipients?: string[] };

export type UpdateChannelInput = { name?: string; url?: string; secret?: string; recipients?: string[]; enabled?: boolean };

type Policy = { allowPrivateTargets: boolean };

/** The channel, and its signing secret when one was made for it: shown this once, never again. */
export type CreatedChannel = { channel: AlertChannel; secret: string | null };

export async function createAlertChannel(db: Database, input: CreateChannelInput, policy: Policy): Promise<CreatedChannel> {
  checkChannelSettings(input.kind, input, { ...policy, complete: true });
  const generated = input.kind === 'WEBHOOK' && !input.secret ? generateWebhookSecret() : null;
  // ON CONFLICT DO NOTHING: a taken name is an answer for the caller, not an aborted statement.
  const [channel] = await db.prisma.alertChannel.createManyAndReturn({
    data: [
      {
        name: input.name,
        kind: input.kind,
        url: input.kind === 'EMAIL' ? null : input.url,
        secret: input.kind === 'WEBHOOK' ? (input.secret ?? generated) : null,
        recipients: input.kind === 'EMAIL' ? input.recipients : [],
      },
    ],
    skipDuplicates: true,
  });
  if (!channel) throw new ChannelNameTakenError(input.name);
  return { channel, secret: generated };
}

/** Changes the settings given and keeps the rest; enabling a channel clears why it was disabled. */
export async function updateAlertChannel(db: Database, id: number, input: UpdateChannelInput, policy: Policy): Promise<AlertChannel> {
  const existing = await db.prisma.alertChannel.findUnique({ where: { id }, select: { kind: true } });
  if (!existing) throw new NotFoundError('AlertChannel', String(id));
  checkChannelSettings(existing.kind, input, { ...policy, complete: false });
  if (input.name !== undefined) {
    const holder = await db.prisma.alertChannel.findUnique({ where: { name: input.name }, select: { id: true } });
    if (holder && holder.id !== id) throw new ChannelNameTakenError(input.name);
  }
  const data = { ...input, ...(input.enabled === true ? { disabledReason: null } : {}) };
  const { count } = await db.prisma.alertChannel.updateMany({ where: { id }, data }).catch((error: unknown) => {
    // Taken between the check above and this update.
    throw (error as { code?: string }).code === 'P2002' && input.name !== undefined ? new ChannelNameTakenError(input.name) : error;
  });
  if (count === 0) throw new NotFoundError('AlertChannel', String(id));
  return db.prisma.alertChannel.findUniqueOrThrow({ where: { id } });
}

/** Deletes the channel with its notifications and its place in rules. */
export async function deleteAlertChannel(db: Database, id: number): Promise<number> {
  const { count } = await db.prisma.alertChannel.deleteMany({ where: { id } });
  if (count === 0) throw new NotFoundError('AlertChannel', String(id));
  return id;
}
