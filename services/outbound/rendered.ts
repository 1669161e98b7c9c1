import { DeliveryError } from '../../shared/ports/channel-delivery.js';

/** A reply that cannot be rendered is bad data: never worth retrying, so it is filed at once. */
export function renderedOrBadData<T>(render: () => T): T {
  try {
    return render();
  } catch (error) {
    throw new DeliveryError(`bad data: ${error instanceof Error ? error.message : String(error)}`, undefined, false);
  }
}
