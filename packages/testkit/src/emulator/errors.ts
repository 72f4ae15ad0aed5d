/** GitHub's error responses: `{ message, documentation_url, status }`, plus `errors` on 422 Validation Failed. */

export interface ValidationErrorItem {
  resource?: string;
  field?: string;
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'unprocessable' | 'custom';
  message?: string;
  value?: string | number | string[] | null;
}

/** Thrown by handlers (and the pipeline) to answer an error the way GitHub does. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { errors?: ValidationErrorItem[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (): HttpError => new HttpError(404, 'Not Found');

export const validationFailed = (...errors: ValidationErrorItem[]): HttpError => new HttpError(422, 'Validation Failed', { errors });

export const DOCS = 'https://docs.github.com/rest';

export interface ErrorBody {
  message: string;
  documentation_url: string;
  status: string;
  errors?: ValidationErrorItem[];
}

export function errorBody(status: number, message: string, documentationUrl = DOCS, errors?: ValidationErrorItem[]): ErrorBody {
  return { message, documentation_url: documentationUrl, status: String(status), ...(errors ? { errors } : {}) };
}
