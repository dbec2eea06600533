/** The SQL files the build reads, to ship with its bundle (relative to the repository root). Pure data. */
export const recommendationSqlFiles = [
  { from: 'functions/recommendations/queries/cooccurrence.sql', to: 'cooccurrence.sql' },
  { from: 'functions/analytics/reports/_persons.sql', to: '_persons.sql' },
];
