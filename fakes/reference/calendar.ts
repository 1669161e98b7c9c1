/**
 * Dates as the reference billing sees them: on the server's own clock and time zone, the way a
 * retailer's billing counts "the current month". Readings are dated YYYY-MM-DD, months YYYY-MM.
 */

const pad = (n: number) => String(n).padStart(2, '0');

export const isoDate = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
export const monthOf = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}`;

/** The given day of the month `monthsBack` months before `date`'s month. */
export const dayMonthsBack = (date: Date, monthsBack: number, day: number) =>
  new Date(date.getFullYear(), date.getMonth() - monthsBack, day);
