// The one small client every platform page uses for the hub's REST API.
// It sends the XSRF token JupyterHub puts in window.jhdata, and turns the
// JSON error bodies ({status, message}) into thrown errors.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

// The hub's own words for an API error; anything else is the network's.
export function describeError(error) {
  return error instanceof ApiError ? error.message : `the hub did not answer (${error.message})`;
}

export function hubData() {
  return window.jhdata;
}

export async function apiRequest(method, path, body) {
  const { base_url: baseUrl, xsrf_token: xsrfToken } = hubData();
  const options = {
    method,
    credentials: "same-origin",
    headers: { "X-XSRFToken": xsrfToken, Accept: "application/json" },
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(`${baseUrl}api/${path}`, options);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok && response.status !== 207) {
    throw new ApiError(response.status, (data && data.message) || response.statusText, data);
  }
  return { status: response.status, data };
}

export function userPath(user, rest) {
  return `users/${encodeURIComponent(user)}/${rest}`;
}
