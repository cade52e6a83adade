/** A client for the local cloud's fake WeCom (`/__local/wecom`): its controls answer `{ok, data}`. */
export function wecomFake(origin: () => string) {
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${origin()}/__local/wecom${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };
}
