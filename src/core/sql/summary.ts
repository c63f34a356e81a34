/** The seed analysis's headline figures over `toots`. Casts keep results plain JS numbers. */
export const SUMMARY_SQL = `SELECT
  count(*)::INTEGER AS toots,
  count(DISTINCT acct)::INTEGER AS users,
  count(DISTINCT from_instance)::INTEGER AS instances,
  count(DISTINCT language)::INTEGER AS languages,
  coalesce(min(characters), 0)::INTEGER AS shortest,
  coalesce(avg(characters), 0)::DOUBLE AS average,
  coalesce(max(characters), 0)::INTEGER AS longest,
  coalesce(sum(characters), 0)::DOUBLE AS total_characters
FROM toots`;

export interface Summary {
  toots: number;
  users: number;
  instances: number;
  languages: number;
  shortest: number;
  average: number;
  longest: number;
  total_characters: number;
}
