/** A channel URL as a reader who may not see it whole sees it: the scheme and host, the path (where a Slack URL keeps its secret) cut. */
export function maskedUrl(url: string): string {
  if (!URL.canParse(url)) return '…';
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}/…`;
}
