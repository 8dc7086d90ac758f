import {
  addRecipientsBody,
  campaignIdParams,
  createCampaignBody,
  listCampaignsQuery,
  listQuery,
  updateCampaignBody,
  type Campaign,
  type CampaignStatus,
  type CreateCampaignInput,
  type UpdateCampaignInput,
  type NewRecipient,
  type Page,
  type Recipient,
} from '@faultline/reference-contract';
import { describeFieldErrors, type FieldError } from '@faultline/core';
import { createClient, ValidationError, type ClientOptions, type FaultlineClient, type RequestOptions } from '@faultline/client';
import { checkInput, type InputSchema } from './check-input.js';

export interface ReferenceApiOptions extends ClientOptions {
  /**
   * Check input against the server's own schemas before sending, and throw
   * the {@link ValidationError} the server would have answered, without a
   * round trip. Default true.
   */
  readonly validateInput?: boolean;
}

interface ListOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

interface ListCampaignsOptions extends ListOptions {
  /** Only the campaigns in this status. */
  readonly status?: CampaignStatus;
}

/** Typed methods for the Faultline reference API, on top of {@link FaultlineClient}. */
export class ReferenceApiClient {
  /** The underlying client, for requests without a typed method. */
  readonly http: FaultlineClient;
  readonly #validate: boolean;

  constructor(options: ReferenceApiOptions) {
    this.http = createClient({ docsUrl: `${options.baseUrl.replace(/\/+$/, '')}/docs/errors`, ...options });
    this.#validate = options.validateInput ?? true;
  }

  async me(
    options?: RequestOptions,
  ): Promise<{ user: { id: number; email: string; name: string; role: string }; team: { id: number; name: string } }> {
    return this.http.get('/v1/me', options);
  }

  async listCampaigns(list: ListCampaignsOptions = {}, options?: RequestOptions): Promise<Page<Campaign>> {
    this.#check('GET', '/v1/campaigns', [[listCampaignsQuery, list, 'query']]);
    return this.http.get('/v1/campaigns', {
      ...options,
      query: { limit: list.limit, cursor: list.cursor, status: list.status },
    });
  }

  async createCampaign(input: CreateCampaignInput, options?: RequestOptions): Promise<Campaign> {
    this.#check('POST', '/v1/campaigns', [[createCampaignBody, input, 'body']]);
    return this.http.post('/v1/campaigns', { ...options, body: input });
  }

  async getCampaign(id: number, options?: RequestOptions): Promise<Campaign> {
    this.#check('GET', `/v1/campaigns/${id}`, [[campaignIdParams, { id }, 'path']]);
    return this.http.get(`/v1/campaigns/${id}`, options);
  }

  /**
   * Changes a campaign with a JSON merge patch. `ifMatch` (an `ETag` the API
   * returned) makes it apply only to that version; otherwise it is a 412
   * `precondition_failed`.
   */
  async updateCampaign(
    id: number,
    patch: UpdateCampaignInput,
    options?: RequestOptions & { readonly ifMatch?: string },
  ): Promise<Campaign> {
    this.#check('PATCH', `/v1/campaigns/${id}`, [
      [campaignIdParams, { id }, 'path'],
      [updateCampaignBody, patch, 'body'],
    ]);
    const { ifMatch, ...rest } = options ?? {};
    const headers = ifMatch === undefined ? rest.headers : { ...rest.headers, 'if-match': ifMatch };
    return this.http.patch(`/v1/campaigns/${id}`, { ...rest, body: patch, ...(headers === undefined ? {} : { headers }) });
  }

  async deleteCampaign(id: number, options?: RequestOptions): Promise<void> {
    this.#check('DELETE', `/v1/campaigns/${id}`, [[campaignIdParams, { id }, 'path']]);
    return this.http.delete(`/v1/campaigns/${id}`, options);
  }

  async pauseCampaign(id: number, options?: RequestOptions): Promise<Campaign> {
    this.#check('POST', `/v1/campaigns/${id}/pause`, [[campaignIdParams, { id }, 'path']]);
    // Pausing twice answers the same as pausing once, so retrying it is safe.
    return this.http.post(`/v1/campaigns/${id}/pause`, { idempotencyKey: true, ...options });
  }

  async resumeCampaign(id: number, options?: RequestOptions): Promise<Campaign> {
    this.#check('POST', `/v1/campaigns/${id}/resume`, [[campaignIdParams, { id }, 'path']]);
    return this.http.post(`/v1/campaigns/${id}/resume`, { idempotencyKey: true, ...options });
  }

  async listRecipients(id: number, list: ListOptions = {}, options?: RequestOptions): Promise<Page<Recipient>> {
    this.#check('GET', `/v1/campaigns/${id}/recipients`, [
      [campaignIdParams, { id }, 'path'],
      [listQuery, list, 'query'],
    ]);
    return this.http.get(`/v1/campaigns/${id}/recipients`, { ...options, query: { limit: list.limit, cursor: list.cursor } });
  }

  async addRecipients(
    id: number,
    recipients: NewRecipient[],
    options?: RequestOptions,
  ): Promise<{ added: number; skipped: number }> {
    const body = { recipients };
    this.#check('POST', `/v1/campaigns/${id}/recipients`, [
      [campaignIdParams, { id }, 'path'],
      [addRecipientsBody, body, 'body'],
    ]);
    return this.http.post(`/v1/campaigns/${id}/recipients`, { ...options, body });
  }

  #check(method: string, path: string, parts: [schema: unknown, value: unknown, location: FieldError['location']][]): void {
    if (!this.#validate) return;
    const fields = parts.flatMap(([schema, value, location]) =>
      checkInput(schema as InputSchema, withoutUndefined(value), location),
    );
    if (fields.length === 0) return;
    throw new ValidationError({
      status: 0,
      code: fields.some((field) => field.code === 'missing_parameter') ? 'missing_parameter' : 'invalid_parameter',
      // Worded as the server words the same failures.
      detail: describeFieldErrors(fields),
      method,
      url: path,
      fieldErrors: fields,
      attempts: 0,
    });
  }
}

/** `{ limit: undefined }` is an absent field, as it is once serialized. */
function withoutUndefined(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined));
}

/** Builds a typed client for the reference API. */
export function createReferenceApiClient(options: ReferenceApiOptions): ReferenceApiClient {
  return new ReferenceApiClient(options);
}
