export function readmeQuickStart(packageDir: string): string;
export function runReadmeQuickStart(packageDir: string): Promise<unknown>;
