/** Errors of channels: the media registry, ad costs and offline touches. */
export class ChannelsError extends Error {
  override name = 'ChannelsError';
}
