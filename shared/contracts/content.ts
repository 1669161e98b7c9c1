import { ContentError, type Content } from '../ports/content-catalog.js';

const COLOR = /^#[0-9A-Fa-f]{6}$/;

function check(condition: boolean, problem: string, problems: string[]) {
  if (!condition) problems.push(problem);
}

const isText = (value: unknown, max = 7000) => typeof value === 'string' && value.trim() !== '' && value.length <= max;
const isUrl = (value: unknown) => typeof value === 'string' && /^https?:\/\/\S+$/.test(value);
const isFile = (value: any) =>
  value && isUrl(value.url) && isText(value.fileName, 200) && Number.isInteger(value.size) && value.size > 0;

/** Checks what Viber and the dialogue rely on: lengths of button texts, URLs, colours, non-empty lists. */
export function validateContent(data: any): Content {
  const problems: string[] = [];
  const buttonText = (value: unknown, where: string) =>
    check(isText(value, 250), `${where} must be a non-empty text of at most 250 characters`, problems);
  check(isText(data?.company, 200), 'company is required', problems);
  check(isUrl(data?.site), 'site must be a URL', problems);
  check(isText(data?.contract?.intro), 'contract.intro is required', problems);
  check(
    Array.isArray(data?.contract?.documents) &&
      data.contract.documents.length > 0 &&
      data.contract.documents.every((d: unknown) => isText(d)),
    'contract.documents must list texts',
    problems,
  );
  check(
    Array.isArray(data?.contract?.templates) && data.contract.templates.length > 0,
    'contract.templates must not be empty',
    problems,
  );
  for (const [i, template] of (data?.contract?.templates ?? []).entries()) {
    buttonText(template?.service, `contract.templates[${i}].service`);
    const dwellings = Object.entries(template?.dwellings ?? {});
    check(dwellings.length > 0, `contract.templates[${i}].dwellings must not be empty`, problems);
    for (const [name, file] of dwellings) {
      buttonText(name, `contract.templates[${i}] dwelling name`);
      check(isFile(file), `contract.templates[${i}].dwellings["${name}"] must have url, fileName and size`, problems);
    }
  }
  check(
    Array.isArray(data?.contract?.offices) && data.contract.offices.length > 0,
    'contract.offices must not be empty',
    problems,
  );
  for (const [i, place] of (data?.contract?.offices ?? []).entries()) {
    buttonText(place?.settlement, `contract.offices[${i}].settlement`);
    check(
      Array.isArray(place?.offices) && place.offices.length > 0,
      `contract.offices[${i}].offices must not be empty`,
      problems,
    );
    for (const [j, office] of (place?.offices ?? []).entries()) {
      const where = `contract.offices[${i}].offices[${j}]`;
      check(
        isText(office?.name, 200) &&
          isText(office?.address, 500) &&
          isText(office?.hours, 200) &&
          isText(office?.phone, 50),
        `${where} needs name, address, hours and phone`,
        problems,
      );
      check(
        typeof office?.lat === 'number' &&
          typeof office?.lon === 'number' &&
          Math.abs(office.lat) <= 90 &&
          Math.abs(office.lon) <= 180,
        `${where} needs lat and lon`,
        problems,
      );
    }
  }
  check(
    isText(data?.serviceCentre?.text) && isUrl(data?.serviceCentre?.url),
    'serviceCentre needs text and url',
    problems,
  );
  check(
    isText(data?.cabinet?.text) &&
      isUrl(data?.cabinet?.registrationUrl) &&
      isUrl(data?.cabinet?.phoneSettingsUrl) &&
      isFile(data?.cabinet?.instruction),
    'cabinet needs text, registrationUrl, phoneSettingsUrl and instruction',
    problems,
  );
  check(isText(data?.support?.text) && isUrl(data?.support?.url), 'support needs text and url', problems);
  check(
    Array.isArray(data?.palette) && data.palette.length > 0 && data.palette.length <= 20,
    'palette must have 1..20 colours',
    problems,
  );
  for (const [i, entry] of (data?.palette ?? []).entries()) {
    buttonText(entry?.name, `palette[${i}].name`);
    check(COLOR.test(entry?.color ?? ''), `palette[${i}].color must be #rrggbb`, problems);
  }
  if (problems.length > 0) throw new ContentError(`Content is invalid:\n  - ${problems.join('\n  - ')}`);
  return data as Content;
}
