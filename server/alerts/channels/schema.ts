/**
 * Alert channels: where notifications go (a signed webhook, Slack, email). Their secrets are
 * write-only: a webhook's signing secret is shown once when it is made for the channel, never
 * again; Slack URLs (which are secrets) are shown masked to everyone, webhook URLs to viewers.
 */
import { z } from 'zod';
import { AlertChannelKind } from '../../db/generated/prisma/enums.ts';
import { builder } from '../../graphql/builder.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseId } from '../../graphql/ids.ts';
import { createAlertChannel, deleteAlertChannel, updateAlertChannel, type CreatedChannel } from './channelOperations.ts';
import { ChannelNameTakenError, ChannelSettingsError } from './errors.ts';
import * as rules from './inputRules.ts';
import { maskedUrl } from './maskedUrl.ts';

const AlertChannelKindEnum = builder.enumType(AlertChannelKind, {
  name: 'AlertChannelKind',
  description: 'WEBHOOK: a JSON POST signed per Standard Webhooks. SLACK: a Slack incoming webhook (Block Kit). EMAIL: mail through the configured SMTP server.',
});

const AlertChannelRef = builder.prismaObject('AlertChannel', {
  description: 'Where notifications are sent. Secrets (a webhook signing secret, a Slack URL) are never returned.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: AlertChannelKindEnum }),
    enabled: t.exposeBoolean('enabled', { description: 'A disabled channel is sent nothing; what was waiting for it fails.' }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'Why delivery disabled the channel (e.g. the receiver answered 410 Gone); cleared when it is enabled again.',
    }),
    url: t.string({
      nullable: true,
      description: 'WEBHOOK: the URL, whole for admins and masked (scheme and host) for viewers. SLACK: always masked, the URL is its secret. EMAIL: null.',
      authScopes: { admin: true },
      unauthorizedResolver: (channel) => (channel.url === null ? null : maskedUrl(channel.url)),
      resolve: (channel) => (channel.url === null ? null : channel.kind === 'SLACK' ? maskedUrl(channel.url) : channel.url),
    }),
    hasSecret: t.boolean({ description: 'Whether webhook deliveries are signed with a secret (always, for WEBHOOK).', resolve: (channel) => channel.secret !== null }),
    recipients: t.exposeStringList('recipients', { description: 'EMAIL: the addresses notifications are sent to; empty for other kinds.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    notifications: t.relation('notifications', {
      description: "The channel's notifications, newest first.",
      args: { first: t.arg.int({ defaultValue: 20, validate: z.number().int().min(1).max(200) }) },
      query: (args) => ({ take: args.first ?? 20, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    }),
  }),
});

const CreatedChannelRef = builder.objectRef<CreatedChannel>('CreateAlertChannelPayload').implement({
  description: 'A new channel, with the signing secret made for it (WEBHOOK without a secret of its own): shown this once, never again.',
  fields: (t) => ({
    channel: t.field({ type: AlertChannelRef, resolve: (created) => created.channel }),
    secret: t.exposeString('secret', {
      nullable: true,
      description: 'The whsec_… secret a receiver verifies signatures with; null when the input gave one (or the kind takes none).',
    }),
  }),
});

const CreateAlertChannelInput = builder.inputType('CreateAlertChannelInput', {
  description: 'A new channel. WEBHOOK and SLACK need an https url; EMAIL needs recipients.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique, at most 100 characters.' }),
    kind: t.field({ type: AlertChannelKindEnum, required: true }),
    url: t.string({ required: false, description: 'WEBHOOK, SLACK: https (http only where ALERTS_ALLOW_PRIVATE_TARGETS is set).' }),
    secret: t.string({ required: false, description: 'WEBHOOK: a whsec_… secret; left out, one is made and returned once.' }),
    recipients: t.stringList({ required: false, description: 'EMAIL: 1 to 20 addresses.' }),
  }),
});

const UpdateAlertChannelInput = builder.inputType('UpdateAlertChannelInput', {
  description: 'The settings to change; the ones left out keep their value. enabled: true clears disabledReason.',
  fields: (t) => ({
    name: t.string({ required: false }),
    url: t.string({ required: false }),
    secret: t.string({ required: false, description: 'WEBHOOK: a new whsec_… secret (receivers must verify with it from then on).' }),
    recipients: t.stringList({ required: false }),
    enabled: t.boolean({ required: false }),
  }),
});

builder.objectType(ChannelNameTakenError, {
  name: 'ChannelNameTakenError',
  description: 'Channel names are unique; nothing was stored.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('channelName') }),
});

builder.objectType(ChannelSettingsError, {
  name: 'ChannelSettingsError',
  description: "A setting does not fit the channel's kind or the rules for targets; nothing was stored.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field', { description: 'url, secret or recipients.' }) }),
});

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

builder.queryFields((t) => ({
  alertChannels: t.prismaField({
    type: ['AlertChannel'],
    description: 'Every alert channel, by name.',
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.alertChannel.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
}));

builder.mutationFields((t) => ({
  createAlertChannel: t.field({
    type: CreatedChannelRef,
    description: 'Makes a channel; a WEBHOOK without a secret gets one, returned this once.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, ChannelNameTakenError, ChannelSettingsError] },
    args: { input: t.arg({ type: CreateAlertChannelInput, required: true, validate: rules.createChannelInput }) },
    resolve: (_root, { input }, ctx) =>
      createAlertChannel(
        ctx.db,
        { name: input.name, kind: input.kind, url: orUndefined(input.url), secret: orUndefined(input.secret), recipients: orUndefined(input.recipients) },
        { allowPrivateTargets: ctx.config.alertsAllowPrivateTargets },
      ),
  }),
  updateAlertChannel: t.field({
    type: AlertChannelRef,
    description: 'Changes the settings given and keeps the rest; enabling clears disabledReason.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, ChannelNameTakenError, ChannelSettingsError] },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateAlertChannelInput, required: true, validate: rules.updateChannelInput }) },
    resolve: (_root, { id, input }, ctx) =>
      updateAlertChannel(
        ctx.db,
        parseId(id, 'AlertChannel'),
        {
          name: orUndefined(input.name),
          url: orUndefined(input.url),
          secret: orUndefined(input.secret),
          recipients: orUndefined(input.recipients),
          enabled: orUndefined(input.enabled),
        },
        { allowPrivateTargets: ctx.config.alertsAllowPrivateTargets },
      ),
  }),
  deleteAlertChannel: t.field({
    type: 'ID',
    description: 'Deletes a channel, its notifications and its place in rules; returns its id.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => String(await deleteAlertChannel(ctx.db, parseId(id, 'AlertChannel'))),
  }),
}));
