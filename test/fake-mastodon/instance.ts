/**
 * Instance metadata documents: the v2 shape (4.x) and the v1 shape older servers only have.
 * Clients discover the streaming host here, and since 4.5 who may read live feeds.
 */

import type { LiveFeedAccess } from './streaming';

export interface InstanceInfo {
  domain: string;
  title: string;
  version: string;
  /** `ws://host:port`, like `configuration.urls.streaming`. */
  streamingWs: string;
  access: { local: LiveFeedAccess; remote: LiveFeedAccess };
  users: number;
  statuses: number;
}

const VAPID = 'BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=';

const statusesConfig = { max_characters: 500, max_media_attachments: 4, characters_reserved_per_url: 23 };
const mediaConfig = {
  supported_mime_types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4'],
  image_size_limit: 16777216,
  image_matrix_limit: 33177600,
  video_size_limit: 103809024,
  video_frame_rate_limit: 120,
  video_matrix_limit: 8294400,
};
const pollsConfig = { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2629746 };

export function instanceV2(i: InstanceInfo): unknown {
  return {
    domain: i.domain,
    title: i.title,
    version: i.version,
    source_url: 'https://github.com/mastodon/mastodon',
    description: 'A fake Mastodon server for Tootscope tests.',
    usage: { users: { active_month: i.users } },
    thumbnail: { url: `https://${i.domain}/packs/media/images/preview.png`, blurhash: null, versions: {} },
    icon: [],
    languages: ['en'],
    configuration: {
      urls: { streaming: i.streamingWs, status: null, about: `https://${i.domain}/about`, privacy_policy: null, terms_of_service: null },
      vapid: { public_key: VAPID },
      accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
      statuses: statusesConfig,
      media_attachments: { ...mediaConfig, description_limit: 1500 },
      polls: pollsConfig,
      translation: { enabled: false },
      timelines_access: {
        live_feeds: { local: i.access.local, remote: i.access.remote },
        hashtag_feeds: { local: 'public', remote: 'public' },
        trending_link_feeds: { local: 'public', remote: 'public' },
      },
      limited_federation: false,
    },
    registrations: { enabled: false, approval_required: false, reason_required: false, message: null, min_age: null, url: null },
    api_versions: { mastodon: 7 },
    contact: { email: `admin@${i.domain}`, account: null },
    rules: [],
  };
}

export function instanceV1(i: InstanceInfo): unknown {
  return {
    uri: i.domain,
    title: i.title,
    short_description: 'A fake Mastodon server for Tootscope tests.',
    description: '',
    email: `admin@${i.domain}`,
    version: i.version,
    urls: { streaming_api: i.streamingWs },
    stats: { user_count: i.users, status_count: i.statuses, domain_count: 300 },
    thumbnail: `https://${i.domain}/packs/media/images/preview.png`,
    languages: ['en'],
    registrations: false,
    approval_required: false,
    invites_enabled: false,
    configuration: {
      accounts: { max_featured_tags: 10 },
      statuses: statusesConfig,
      media_attachments: mediaConfig,
      polls: pollsConfig,
    },
    contact_account: null,
    rules: [],
  };
}
