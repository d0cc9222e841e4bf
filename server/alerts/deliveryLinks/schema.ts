/**
 * The fields of alerting's types that lead to delivery's: a rule's channels, an incident's
 * notifications, and the notification an incident update names. Apart, so that the types they
 * point at (AlertChannel, Notification) are referred to by name and whichever module defines
 * them serves.
 */
import { builder } from '../../graphql/builder.ts';
import { IncidentRef, IncidentUpdateRef } from '../incidents/schema.ts';
import { AlertRuleRef } from '../rules/schema.ts';

builder.prismaObjectField(AlertRuleRef, 'channels', (t) =>
  t.prismaField({
    type: ['AlertChannel'],
    description: 'The channels that hear of its incidents, by name.',
    resolve: (query, rule, _args, ctx) =>
      ctx.db.prisma.alertChannel.findMany({ ...query, where: { rules: { some: { ruleId: rule.id } } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
  }),
);

builder.prismaObjectField(IncidentRef, 'notifications', (t) =>
  t.relation('notifications', { description: 'What its channels were sent, oldest first.', query: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } }),
);

builder.objectField(IncidentUpdateRef, 'notification', (t) =>
  t.prismaField({
    type: 'Notification',
    nullable: true,
    resolve: (query, update, _args, ctx) =>
      update.notificationId === null ? null : ctx.db.prisma.notification.findUnique({ ...query, where: { id: update.notificationId } }),
  }),
);

builder.prismaObjectField('Notification', 'incident', (t) =>
  t.relation('incident', { nullable: true, description: 'The incident it tells of; null for a channel test.' }),
);
