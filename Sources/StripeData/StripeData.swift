// StripeData
