import type { Meter, MeterZone, SubmissionPeriod } from '../shared/ports/billing.js';

/** The retailer's clock: a reading sent at 23:30 Moscow time is already tomorrow in Irkutsk. */
export const TIME_ZONE = 'Asia/Irkutsk';
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, day: 'numeric' });

export const dayOfMonth = (at: number) => Number(dayFormat.format(new Date(at)));

export const isPeriodOpen = (period: SubmissionPeriod, at: number) =>
  period === null || (dayOfMonth(at) >= period.fromDay && dayOfMonth(at) <= period.toDay);

/** "12345", "12 345", "12345,6" and "12345.6" are numbers; anything else is not. */
export function parseReading(text: string): number | null {
  const cleaned = text
    .trim()
    .replace(/[\s\u00a0]/g, '')
    .replace(',', '.');
  if (!/^\d{1,12}(\.\d{1,3})?$/.test(cleaned)) return null;
  return Number(cleaned);
}

export type ReadingCheck =
  { ok: true; consumption: number; rolledOver: boolean } | { ok: false; problem: 'too-many-digits' | 'below-previous' };

const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * The consumption a new reading means. Below the previous reading is an error unless the dial
 * rolled over its capacity (e.g. 99 950 → 00 030 on a five-digit meter) with a plausible use.
 */
export function checkReading(meter: Meter, zone: MeterZone, value: number): ReadingCheck {
  const capacity = 10 ** meter.digits;
  if (value >= capacity) return { ok: false, problem: 'too-many-digits' };
  const previous = zone.previous.value;
  if (value >= previous) return { ok: true, consumption: round(value - previous), rolledOver: false };
  const rolled = round(capacity - previous + value);
  if (rolled <= meter.maxPlausibleConsumption) return { ok: true, consumption: rolled, rolledOver: true };
  return { ok: false, problem: 'below-previous' };
}

export const isImplausible = (meter: Meter, consumption: number) => consumption > meter.maxPlausibleConsumption;

/** "Показание" for a single-zone meter says nothing; a zone's name is said in brackets. */
export const zoneLabel = (meter: Meter, zone: MeterZone) =>
  meter.zones.length > 1 ? ` (${zone.name.toLowerCase()})` : '';

/** The button of a meter: its serial number, as printed on it and on the bill. */
export const meterLabel = (meter: Meter) => `Счётчик № ${meter.serialNumber}`;
