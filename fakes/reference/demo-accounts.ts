import { dayMonthsBack, isoDate } from './calendar.js';
import type { AccountDoc, BillingStore, MeterDoc } from './billing-store.js';

/**
 * The demo accounts of the reference billing, upserted on every start. Account and meter
 * documents are replaced by these definitions; readings are only added where a month has none,
 * so what a developer sent through the bot survives a restart.
 *
 *   инзб12345678  phone 79001234567  Иркутск  Электроэнергия (day/night, 6 digits), Отопление (Гкал),
 *                                             Горячее водоснабжение (м³); due 2642,85 ₽; any day
 *   инзб87654321  phone 79007654321  Ангарск  Электроэнергия, 5 digits, previous 99950: the next
 *                                             reading rolls the dial over; any day
 *   инзб11112222  phone 79990000000  Иркутск  Электроэнергия; a phone no demo customer has, for
 *                                             "the phone on file does not match"
 *   инзб33334444  phone 79001234567  Шелехов  Электроэнергия; readings accepted from the 15th to
 *                                             the 25th only (the same customer as the first)
 *
 * Each meter has HISTORY_MONTHS monthly readings dated the 20th, the latest in the month before the
 * current one (so it is the "previous" reading), each earlier one lower by the zone's usual use.
 */

export const HISTORY_MONTHS = 5;
const READING_DAY = 20;

interface DemoZone {
  id: string;
  name: string;
  /** The reading of last month. */
  previous: number;
  /** A typical month's consumption, for the older readings. */
  monthly: number;
}

type DemoMeter = Omit<MeterDoc, 'account' | 'zones' | 'installedOn'> & { zones: DemoZone[] };

interface DemoAccount extends AccountDoc {
  meters: DemoMeter[];
}

const Services = {
  electricity: { id: 'electricity', name: 'Электроэнергия' },
  heating: { id: 'heating', name: 'Отопление' },
  hotWater: { id: 'hot-water', name: 'Горячее водоснабжение' },
} as const;

const KWH = { unit: 'кВт·ч', maxPlausibleConsumption: 1500 };
const single = (previous: number, monthly: number): DemoZone[] => [
  { id: 'single', name: 'Показание', previous, monthly },
];

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    _id: 'инзб12345678',
    phone: '79001234567',
    address: 'г. Иркутск, ул. Ленина, д. 1, кв. 5',
    period: null,
    services: [Services.electricity, Services.heating, Services.hotWater],
    due: [
      { serviceId: 'electricity', amount: 118432 },
      { serviceId: 'heating', amount: 98765 },
      { serviceId: 'hot-water', amount: 47088 },
    ],
    meters: [
      {
        _id: 'm-12345678-el',
        serviceId: 'electricity',
        serialNumber: 'ЦЭ6807-0113245',
        ...KWH,
        digits: 6,
        zones: [
          { id: 'day', name: 'День', previous: 12345, monthly: 210 },
          { id: 'night', name: 'Ночь', previous: 5432, monthly: 95 },
        ],
      },
      {
        _id: 'm-12345678-heat',
        serviceId: 'heating',
        serialNumber: 'ВКТ7-228871',
        unit: 'Гкал',
        digits: 5,
        maxPlausibleConsumption: 10,
        zones: single(123.456, 1.85),
      },
      {
        _id: 'm-12345678-hw',
        serviceId: 'hot-water',
        serialNumber: 'СГВ15-771204',
        unit: 'м³',
        digits: 5,
        maxPlausibleConsumption: 30,
        zones: single(245.31, 3.2),
      },
    ],
  },
  {
    _id: 'инзб87654321',
    phone: '79007654321',
    address: 'г. Ангарск, мкр. 12, д. 7, кв. 48',
    period: null,
    services: [Services.electricity],
    due: [{ serviceId: 'electricity', amount: 31250 }],
    meters: [
      {
        _id: 'm-87654321-el',
        serviceId: 'electricity',
        serialNumber: 'СОЭ55-5034711',
        ...KWH,
        digits: 5,
        zones: single(99950, 180),
      },
    ],
  },
  {
    _id: 'инзб11112222',
    phone: '79990000000',
    address: 'г. Иркутск, ул. Байкальская, д. 200, кв. 17',
    period: null,
    services: [Services.electricity],
    due: [{ serviceId: 'electricity', amount: 15600 }],
    meters: [
      {
        _id: 'm-11112222-el',
        serviceId: 'electricity',
        serialNumber: 'Меркурий201-2290144',
        ...KWH,
        digits: 6,
        zones: single(4821, 150),
      },
    ],
  },
  {
    _id: 'инзб33334444',
    phone: '79001234567',
    address: 'г. Шелехов, ул. Ленина, д. 3',
    period: { fromDay: 15, toDay: 25 },
    services: [Services.electricity],
    due: [{ serviceId: 'electricity', amount: 42017 }],
    meters: [
      {
        _id: 'm-33334444-el',
        serviceId: 'electricity',
        serialNumber: 'Нева103-0418820',
        ...KWH,
        digits: 6,
        zones: single(23780, 320),
      },
    ],
  },
];

/** Whole units, or three decimals for Гкал and м³, without floating-point dust. */
const round = (value: number) => Math.round(value * 1000) / 1000;

export async function seedDemoAccounts(store: BillingStore, now: Date): Promise<void> {
  for (const { meters, ...account } of DEMO_ACCOUNTS) {
    await store.putAccount(account);
    for (const { zones, ...meter } of meters) {
      const installedOn = isoDate(dayMonthsBack(now, HISTORY_MONTHS + 12, READING_DAY));
      await store.putMeter({
        ...meter,
        account: account._id,
        zones: zones.map(({ id, name }) => ({ id, name })),
        installedOn,
      });
      for (let back = 1; back <= HISTORY_MONTHS; back++) {
        const values = Object.fromEntries(
          zones.map((zone) => [zone.id, round(zone.previous - (back - 1) * zone.monthly)]),
        );
        await store.addReadingIfMissing({
          account: account._id,
          meterId: meter._id,
          date: dayMonthsBack(now, back, READING_DAY),
          values,
        });
      }
    }
  }
}
