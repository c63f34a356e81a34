/**
 * The optional parts of a status — media, link card, poll — shaped like Mastodon's entities
 * (fixture 05 for the card), so consumers that count them see realistic objects.
 */

import type { MastodonStatus } from '../mastodon';
import type { Rng } from './random';
import { snowflakeId } from './snowflake';
import type { DemoLanguage } from './vocabulary';

const BLURHASHES = ['UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH', 'UeKUpFxuo~R%0nW;WCnhF6RjaJt757oJodS$', 'U9A^EHxu00ay_3ofM{of00Rj~qWB4nof-;xu'];

/**
 * `n` image attachments as the collecting instance (`localHost`) serves them: its own files
 * host, under `cache/` for a remote author (`originHost`), with the original as `remote_url`.
 */
export function mediaAttachments(rng: Rng, n: number, t: number, localHost: string, originHost: string | null): unknown[] {
  const local = originHost === null;
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const id = snowflakeId(t - rng.int(600_000), rng.int(65536));
    const path = id.padStart(18, '0').match(/.{3}/g)!.join('/');
    const file = `${rng.hex(16)}.jpeg`;
    const width = rng.pick([640, 1024, 1280, 1920, 3024]);
    const height = Math.round(width * rng.pick([0.5625, 0.75, 1, 1.333]));
    const files = `https://files.${localHost}/${local ? '' : 'cache/'}media_attachments/files/${path}`;
    out.push({
      id,
      type: 'image',
      url: `${files}/original/${file}`,
      preview_url: `${files}/small/${file}`,
      remote_url: local ? null : `https://${originHost}/system/media_attachments/files/${path}/original/${file}`,
      preview_remote_url: null,
      text_url: null,
      meta: {
        original: { width, height, size: `${width}x${height}`, aspect: width / height },
        small: { width: 480, height: Math.round((480 * height) / width), size: `480x${Math.round((480 * height) / width)}`, aspect: width / height },
      },
      description: rng.chance(0.6) ? 'A photo, described for people using screen readers.' : null,
      blurhash: rng.pick(BLURHASHES),
    });
  }
  return out;
}

export function card(url: string, rng: Rng): MastodonStatus['card'] {
  return {
    url,
    title: `${rng.pick(['Why', 'How', 'What', 'When'])} ${rng.pick(['the web', 'federation', 'the climate', 'open source', 'trains'])} ${rng.pick(['matters', 'works', 'changed', 'broke'])}`,
    description: 'A longer summary of the linked article, as the site’s OpenGraph tags describe it.',
    type: 'link',
    author_name: '',
    author_url: '',
    provider_name: '',
    provider_url: '',
    html: '',
    width: 0,
    height: 0,
    image: null,
    embed_url: '',
  };
}

export function poll(rng: Rng, t: number, language: DemoLanguage): unknown {
  const n = rng.range(2, 4);
  const options = [];
  for (let i = 0; i < n; i++) options.push({ title: rng.pick(language.words), votes_count: 0 });
  return {
    id: String(rng.range(100_000, 9_999_999)),
    expires_at: new Date(t + rng.pick([1, 6, 24, 72]) * 3_600_000).toISOString(),
    expired: false,
    multiple: rng.chance(0.2),
    votes_count: 0,
    voters_count: 0,
    options,
    emojis: [],
  };
}
