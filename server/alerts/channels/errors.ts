/**
 * The ways a channel operation can fail that a caller can act on. Messages name the field and the
 * rule, never the value: a URL or a secret sent by mistake must not come back in an error.
 */
export class ChannelNameTakenError extends Error {
  readonly channelName: string;

  constructor(name: string) {
    super(`An alert channel named ${name} exists already`);
    this.channelName = name;
    this.name = 'ChannelNameTakenError';
  }
}

/** A setting that does not fit the channel's kind (a webhook without a URL, an email channel without recipients, an http URL). */
export class ChannelSettingsError extends Error {
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.field = field;
    this.name = 'ChannelSettingsError';
  }
}

/** A disabled channel sends nothing, tests included, until it is enabled again. */
export class ChannelDisabledError extends Error {
  readonly channelId: string;

  constructor(channelId: number, reason: string | null) {
    super(`Alert channel ${channelId} is disabled${reason ? `: ${reason}` : ''}; enable it first`);
    this.channelId = String(channelId);
    this.name = 'ChannelDisabledError';
  }
}
