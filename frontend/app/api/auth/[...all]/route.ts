import { getAuth } from "@/lib/auth";
import { withSignInThrottle } from "@/lib/sign-in-throttle";

function handle(request: Request): Promise<Response> {
  return withSignInThrottle(request, (checked) => getAuth().handler(checked));
}

export { handle as GET, handle as POST };
