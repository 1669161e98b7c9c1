import type { SubmissionPeriod, SubmissionResult } from '../../shared/ports/billing.js';

/** Why the reference billing refuses a reading: pure rules, so each reads on its own. */

export type Refusal = Extract<SubmissionResult, { accepted: false }>;

export interface MeterShape {
  digits: number;
  zones: { id: string; name: string }[];
}

export function periodRefusal(period: SubmissionPeriod, dayOfMonth: number): Refusal | null {
  if (period === null || (dayOfMonth >= period.fromDay && dayOfMonth <= period.toDay)) return null;
  return {
    accepted: false,
    reason: 'period-closed',
    message:
      `Показания по этому лицевому счёту принимаются с ${period.fromDay} по ${period.toDay} число месяца. ` +
      `Передайте их в эти дни.`,
  };
}

const invalid = (message: string): Refusal => ({ accepted: false, reason: 'invalid', message });

/** A value for each of the meter's zones and nothing else, each one a number its dial can show. */
export function valuesRefusal(meter: MeterShape, values: Record<string, unknown>): Refusal | null {
  const expected = meter.zones.map((zone) => zone.id);
  const given = Object.keys(values);
  if (given.length !== expected.length || !expected.every((id) => Object.hasOwn(values, id))) {
    return invalid(
      `Нужно по одному показанию для каждой зоны счётчика: ${meter.zones.map((zone) => zone.name).join(', ')}.`,
    );
  }
  const dialLimit = 10 ** meter.digits;
  for (const zone of meter.zones) {
    const value = values[zone.id];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return invalid(`Показание «${zone.name}» должно быть неотрицательным числом.`);
    if (value >= dialLimit)
      return invalid(
        `Показание «${zone.name}» больше, чем может показать счётчик: у него ${meter.digits} знаков до запятой.`,
      );
  }
  return null;
}
