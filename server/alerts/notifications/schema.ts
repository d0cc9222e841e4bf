/**
 * Notifications: the outbox's rows as a client sees them, one per incident change (or test) and
 * channel, with every delivery attempt; the notification query and the testChannel mutation.
 */
import { NotificationEvent, NotificationStatus } from '../../db/generated/prisma/enums.ts';
import { builder } from '../../graphql/builder.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseId } from '../../graphql/ids.ts';
import { ChannelDisabledError } from '../channels/errors.ts';
import type { NotificationPayload } from './queueNotifications.ts';
import { testChannel } from './testChannel.ts';

const NotificationEventEnum = builder.enumType(NotificationEvent, {
  name: 'NotificationEvent',
  description: 'OPENED: an incident opened. RESOLVED: it resolved. TEST: sent by testChannel.',
});

const NotificationStatusEnum = builder.enumType(NotificationStatus, {
  name: 'NotificationStatus',
  description:
    'PENDING: waiting for its first attempt or a retry. DELIVERED: a receiver took it (2xx, or the SMTP server accepted it). ' +
    'FAILED: the last retry failed, the receiver answered 410 Gone, or the channel was disabled.',
});

builder.prismaObject('DeliveryAttempt', {
  description: 'One try at delivering a notification.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: 'The HTTP status, or the SMTP reply code; null when no answer came.' }),
    ok: t.exposeBoolean('ok'),
    error: t.exposeString('error', { nullable: true, description: 'Why the attempt failed (refused by the outbound guard, timed out, the status).' }),
    durationMs: t.exposeInt('durationMs'),
    response: t.exposeString('response', {
      nullable: true,
      description: "The start (at most 1 KB) of the receiver's answer; admins only (null for viewers).",
      authScopes: { admin: true },
      unauthorizedResolver: () => null,
    }),
  }),
});

const NotificationRef = builder.prismaObject('Notification', {
  description: 'One message to one channel about an incident (or a test), with its delivery attempts.',
  fields: (t) => ({
    id: t.exposeID('id'),
    messageId: t.exposeString('messageId', { description: 'Sent as the webhook-id header; the same on every retry, so that a receiver can drop a repeat.' }),
    channel: t.relation('channel'),
    event: t.expose('event', { type: NotificationEventEnum }),
    status: t.expose('status', { type: NotificationStatusEnum }),
    attemptCount: t.exposeInt('attemptCount'),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due; null once DELIVERED or FAILED.',
      select: { status: true, nextAttemptAt: true },
      resolve: (notification) => (notification.status === 'PENDING' ? notification.nextAttemptAt : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    title: t.string({ select: { payload: true }, resolve: (notification) => (notification.payload as NotificationPayload).title }),
    attempts: t.relation('attempts', { description: 'Oldest first.', query: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } }),
  }),
});

builder.objectType(ChannelDisabledError, {
  name: 'ChannelDisabledError',
  description: 'The channel is disabled (see its disabledReason); enable it first.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ channelId: t.exposeID('channelId') }),
});

builder.queryFields((t) => ({
  notification: t.prismaField({
    type: 'Notification',
    nullable: true,
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => ctx.db.prisma.notification.findUnique({ ...query, where: { id: parseId(id, 'Notification') } }),
  }),
}));

builder.mutationFields((t) => ({
  testChannel: t.field({
    type: NotificationRef,
    description: 'Queues a test notification to the channel through the outbox and returns it; its attempts show on it and arrive through incidentUpdated.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, ChannelDisabledError] },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const notificationId = await testChannel(ctx.db, parseId(id, 'AlertChannel'));
      return ctx.db.prisma.notification.findUniqueOrThrow({ where: { id: notificationId } });
    },
  }),
}));
