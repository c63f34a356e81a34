/**
 * The seed notebook's analyses, written against the same views it used (`mastodon_toot`,
 * SCHEMA.md § Views) so each runs verbatim: on our data here, and on an exported Parquet file in
 * the notebook. The notebook loaded whole tables into pandas and counted there; where it did,
 * these count in SQL instead.
 */
export interface Example {
  title: string;
  sql: string;
}

export const EXAMPLES: readonly Example[] = [
  {
    title: 'Daily toots, users and the most active person',
    sql: "SELECT created_tz::DATE AS day, count(*) AS toots, count(DISTINCT username) AS users, mode(CASE WHEN bot='False' THEN username END) AS top_user FROM mastodon_toot GROUP BY 1 ORDER BY 1",
  },
  {
    title: 'The Mastodon app landscape (people, not bots)',
    sql: "SELECT app, count(*) AS toots\nFROM mastodon_toot\nWHERE app IS NOT NULL\nAND app <> ''\nAND bot='False'\nGROUP BY app\nORDER BY toots DESC, app\nLIMIT 10",
  },
  {
    title: 'Toots per hour of each day',
    sql: "SELECT strftime(created_tz, '%Y/%m/%d %a') AS created_day\n, date_part('hour', created_tz) AS created_hour\n, count(*) AS num\nFROM mastodon_toot\nGROUP BY 1,2\nORDER BY 1,2",
  },
  {
    title: 'Languages',
    sql: 'SELECT language_name, count(*) AS toots\nFROM mastodon_toot\nGROUP BY 1\nORDER BY 2 DESC, 1\nLIMIT 20',
  },
  {
    title: 'Toot length by language',
    sql: "SELECT language_name, count(*) AS toots, min(characters) AS shortest, median(characters) AS median, max(characters) AS longest\nFROM mastodon_toot\nWHERE language NOT IN ('unknown')\nGROUP BY 1\nORDER BY 2 DESC, 1\nLIMIT 20",
  },
  {
    title: 'Toots mentioning a word',
    sql: "SELECT created_tz, username, from_instance, mastodon_text\nFROM mastodon_toot\nWHERE mastodon_text ILIKE '%mastodon%'\nORDER BY created_tz DESC\nLIMIT 100",
  },
];
